#!/usr/bin/env python3
"""Snapshot the pages and documents of the Hengyang demo of one checkout of Yancheng.

    snapshot.py <repo_dir> <out_dir>

<repo_dir> is a checkout with `uv sync --frozen` done. The script re-runs itself inside
that checkout's environment (`uv run --frozen --no-sync python snapshot.py --inner ...`)
with a fresh SQLite database and data folder in a temporary directory, then:

* freezes the clock at FIXED (time-machine, tick=False; `time.sleep` advances the frozen
  clock instead of sleeping, which is what the case demo's timeline needs);
* makes every "random" byte deterministic: os.urandom / random._urandom (so uuid4,
  secrets.*, SystemRandom, password salts, CSRF masks, CSP nonces, field-encryption keys
  and nonces) come from a seeded stream; the global `random` is seeded; PYTHONHASHSEED=0;
* migrates, loads the Hengyang demo exactly as `yancheng demo` does (city, app loaders,
  audit checkpoint);
* with Django's test Client, force_login as demo roles (YANCHENG_TOTP_REQUIRED=false, as
  the test suite and the demo do), fetches a fixed list of PATHS in zh-hans and in en
  (language cookie + Accept-Language), and writes every answer as normalised text:
  HTML pretty-printed one tag/text per line; .xlsx one line per cell
  ("sheet!A1<TAB>value<TAB>type<TAB>number_format"); .docx paragraphs, tables (cell by
  cell), headers/footers and section page set-up; JSON indented.

Objects are picked deterministically: cases from the first links of each user's inbox and
the lowest case number; every weekly meeting by primary key; registrations from the first
links of the department list and the lowest registration number of the department.

The out_dir gets one file per answer plus _index.txt (path, user, language, status,
content type, disposition, file), and after the fetches _db/tables.txt (rows per table)
and _db/audit.txt (the audit trail: seq, time, actor, action, object, before, after,
outcome; hashes and request ids left out).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

FIXED_ISO = "2026-12-07T10:00:00+08:00"  # a Monday; the demo is built backwards from it


def outer(repo_dir: str, out_dir: str) -> int:
    repo = Path(repo_dir).resolve()
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="yancheng-snapshot-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("YANCHENG_", "DJANGO_", "DATABASE_"))}
    env.update({
        "YANCHENG_ENV": "demo",
        "YANCHENG_ENV_FILE": str(tmp / "no.env"),
        "YANCHENG_DATA_DIR": str(tmp / "var"),
        "DATABASE_URL": f"sqlite:///{tmp / 'demo.sqlite3'}",
        "YANCHENG_TOTP_REQUIRED": "false",
        "YANCHENG_TASK_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "YANCHENG_AUDIT_KEY": "snapshot-audit-key-not-secret",
        "YANCHENG_SECRET_KEY": "snapshot-secret-key-" + "s" * 40,
        "YANCHENG_RATING_RECEIPT_KEY": "snapshot-rating-receipt-key",
        "YANCHENG_DASHBOARD_CACHE_SECONDS": "0",
        "YANCHENG_SITE_URL": "https://yancheng.example",
        "YANCHENG_LOG_LEVEL": "ERROR",
        "DJANGO_SETTINGS_MODULE": "yancheng.settings",
        "PYTHONHASHSEED": "0",
        "TZ": "UTC",
    })
    cmd = ["uv", "run", "--frozen", "--no-sync", "python", str(Path(__file__).resolve()), "--inner", str(out)]
    result = subprocess.run(cmd, cwd=repo, env=env)
    if result.returncode == 0:
        subprocess.run(["rm", "-rf", str(tmp)])
    else:
        print(f"snapshot failed; temp dir kept: {tmp}", file=sys.stderr)
    return result.returncode


# --------------------------------------------------------------------------------------------
# inner: runs inside the checkout's virtualenv
# --------------------------------------------------------------------------------------------


def _freeze() -> None:
    import datetime as dt
    import random
    import time

    import time_machine

    traveller = time_machine.travel(dt.datetime.fromisoformat(FIXED_ISO), tick=False)
    coordinates = traveller.start()

    def fake_sleep(seconds: float) -> None:
        coordinates.shift(dt.timedelta(seconds=max(float(seconds), 0.000_001)))

    time.sleep = fake_sleep

    # One seeded stream per caller: the name of the nearest function of the project on the
    # stack (or "<other>"), so that a refactor adding or removing a random draw in one place
    # does not shift the bytes every other place gets.
    import hashlib

    streams: dict[str, random.Random] = {}

    def fake_urandom(n: int) -> bytes:
        frame = sys._getframe(1)
        key = "<other>"
        while frame is not None:
            if str(frame.f_globals.get("__name__", "")).startswith("yancheng."):
                key = frame.f_code.co_name
                break
            frame = frame.f_back
        stream = streams.get(key)
        if stream is None:
            seed = int.from_bytes(hashlib.sha256(f"20261207:{key}".encode()).digest()[:8], "big")
            stream = streams[key] = random.Random(seed)
        return stream.randbytes(n)

    os.urandom = fake_urandom
    random._urandom = fake_urandom  # type: ignore[attr-defined]  # SystemRandom, secrets
    random.seed(0)


# --- normalisers ---------------------------------------------------------------------------

import re  # noqa: E402

VOLATILE = [
    (re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")'), r"\1CSRF\2"),
    (re.compile(r'(nonce=")[^"]*(")'), r"\1NONCE\2"),
    (re.compile(r'("X-CSRFToken"\s*:\s*")[^"]*(")'), r"\1CSRF\2"),
    (re.compile(r'(csrf[-_]?token["\']?\s*[:=]\s*["\'])[A-Za-z0-9]{32,64}'), r"\1CSRF"),
    (re.compile(r"\b[A-Za-z0-9]{64}\b"), "TOKEN64"),
    (re.compile(r"\.[0-9a-f]{12}\.(css|js|png|svg|woff2?)\b"), r".\1"),  # static file hashes
    (re.compile(r"(sessionid=)[a-z0-9]{32}"), r"\1SESSION"),
]


def scrub(text: str, literals: list[str]) -> str:
    for value in literals:
        if value:
            text = text.replace(value, "VOLATILE")
    for pattern, repl in VOLATILE:
        text = pattern.sub(repl, text)
    return text


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
RAW = {"script", "style", "pre", "textarea"}


def pretty_html(html: str) -> str:
    from html.parser import HTMLParser

    lines: list[str] = []

    class P(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.depth = 0
            self.raw = 0

        def _attrs(self, attrs: list[tuple[str, str | None]]) -> str:
            parts = []
            for k, v in attrs:
                if v is None:
                    parts.append(k)
                else:
                    v = " ".join(v.split()) if k in {"class", "style"} else v
                    parts.append(f'{k}="{v}"')
            return (" " + " ".join(parts)) if parts else ""

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            lines.append("  " * self.depth + f"<{tag}{self._attrs(attrs)}>")
            if tag not in VOID:
                self.depth += 1
            if tag in RAW:
                self.raw += 1

        def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            lines.append("  " * self.depth + f"<{tag}{self._attrs(attrs)}/>")

        def handle_endtag(self, tag: str) -> None:
            if tag in VOID:
                return
            self.depth = max(0, self.depth - 1)
            if tag in RAW:
                self.raw = max(0, self.raw - 1)
            lines.append("  " * self.depth + f"</{tag}>")

        def handle_data(self, data: str) -> None:
            if self.raw:
                for line in data.splitlines():
                    if line.strip():
                        lines.append("  " * self.depth + line.rstrip())
                return
            text = " ".join(data.split())
            if text:
                lines.append("  " * self.depth + text)

        def handle_comment(self, data: str) -> None:
            lines.append("  " * self.depth + f"<!--{' '.join(data.split())}-->")

        def handle_decl(self, decl: str) -> None:
            lines.append(f"<!{decl}>")

    parser = P()
    parser.feed(html)
    parser.close()
    return "\n".join(lines) + "\n"


def _cell_value(value: object) -> str:
    import datetime as dt

    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    return repr(value) if not isinstance(value, str) else value.replace("\n", "\\n").replace("\t", "\\t")


def xlsx_text(data: bytes) -> str:
    from io import BytesIO

    from openpyxl import load_workbook

    wb = load_workbook(BytesIO(data))
    out: list[str] = []
    for ws in wb.worksheets:
        out.append(f"# sheet {ws.title!r} dims={ws.dimensions} freeze={ws.freeze_panes} "
                   f"merged={sorted(str(r) for r in ws.merged_cells.ranges)}")
        widths = {k: v.width for k, v in sorted(ws.column_dimensions.items()) if v.width}
        if widths:
            out.append(f"# widths {widths}")
        if ws.auto_filter and ws.auto_filter.ref:
            out.append(f"# autofilter {ws.auto_filter.ref}")
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                out.append(f"{ws.title}!{cell.coordinate}\t{_cell_value(cell.value)}\t{cell.data_type}\t{cell.number_format}")
    return "\n".join(out) + "\n"


def docx_text(data: bytes) -> str:
    from io import BytesIO

    from docx import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    doc = Document(BytesIO(data))
    out: list[str] = []
    for index, section in enumerate(doc.sections):
        out.append(
            f"# section {index}: orientation={section.orientation} page={section.page_width}x{section.page_height} "
            f"margins(t,b,l,r)={section.top_margin},{section.bottom_margin},{section.left_margin},{section.right_margin} "
            f"start={section.start_type}"
        )
        for kind, part in (("header", section.header), ("footer", section.footer)):
            texts = [p.text for p in part.paragraphs if p.text.strip()]
            if texts and not part.is_linked_to_previous:
                out.append(f"# {kind}: " + " | ".join(texts))
    body = doc.element.body
    table_no = 0
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            p = Paragraph(child, doc)
            style = p.style.name if p.style is not None else ""
            out.append(f"P[{style}|{p.alignment}] {p.text}")
        elif tag == "tbl":
            table = Table(child, doc)
            table_no += 1
            out.append(f"TABLE {table_no} rows={len(table.rows)} cols={len(table.columns)}")
            for r, row in enumerate(table.rows):
                for c, cell in enumerate(row.cells):
                    out.append(f"  T{table_no}[{r},{c}]\t{cell.text}".replace("\n", "\\n"))
    return "\n".join(out) + "\n"


def json_text(data: bytes) -> str:
    import json

    try:
        return json.dumps(json.loads(data), ensure_ascii=False, indent=1) + "\n"
    except ValueError:
        return data.decode("utf-8", "replace")


# --- the database after the fetches -------------------------------------------------------


def dump_database(folder: Path) -> None:
    """Row counts of every table, and the audit trail (without hashes and request ids)."""
    import json

    from django.apps import apps

    folder.mkdir(parents=True, exist_ok=True)
    lines = sorted(f"{m._meta.db_table}\t{m._default_manager.count()}" for m in apps.get_models())
    (folder / "tables.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    record = next((m for m in apps.get_models() if m.__name__ in {"AuditEvent", "AuditRecord"}), None)
    if record is None:
        return
    rows = []
    for r in record.objects.order_by("seq").iterator():
        rows.append("\t".join(str(x) for x in (
            r.seq, r.ts.isoformat(), r.actor_id, r.actor_repr, r.organisation_id, r.organisation_repr, r.action,
            r.object_type, r.object_id, r.object_repr,
            json.dumps(r.before, ensure_ascii=False, sort_keys=True), json.dumps(r.after, ensure_ascii=False, sort_keys=True),
            r.ip, r.outcome,
        )))
    (folder / "audit.txt").write_text("\n".join(rows) + "\n", encoding="utf-8")


# --- the fetches ---------------------------------------------------------------------------


def inner(out_dir: str) -> int:
    _freeze()
    import django

    django.setup()

    from django.apps import apps
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    from yancheng.core.demo import load_hengyang_demo, run_demo_loaders

    load_hengyang_demo()
    loaded = run_demo_loaders()
    try:
        from yancheng.core.audit.services import audit_checkpoint_create

        audit_checkpoint_create()
    except ImportError:
        pass
    print("demo loaded:", ", ".join(loaded), file=sys.stderr)

    out = Path(out_dir)
    User = apps.get_model("core", "User")
    Case = apps.get_model("cases", "Case")
    Meeting = apps.get_model("projects", "WeeklyMeeting")
    Inspection = apps.get_model("inspections", "Inspection")
    index: list[str] = []

    def fetch(username: str, lang: str, path: str, *, api: bool = False) -> str:
        user = User.objects.get(username=username)
        client = Client(HTTP_ACCEPT_LANGUAGE=lang)
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
        response = client.get(path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        ctype = response.get("Content-Type", "")
        disposition = response.get("Content-Disposition", "")
        location = response.get("Location", "")
        literals = [client.cookies.get(settings.SESSION_COOKIE_NAME).value if client.cookies.get(settings.SESSION_COOKIE_NAME) else "",
                    client.cookies.get(settings.CSRF_COOKIE_NAME).value if client.cookies.get(settings.CSRF_COOKIE_NAME) else ""]
        slug = re.sub(r"[^A-Za-z0-9._-]+", "_", path.strip("/")) or "root"
        if "spreadsheetml" in ctype:
            text, ext = xlsx_text(body), "xlsx.txt"
        elif "wordprocessingml" in ctype:
            text, ext = docx_text(body), "docx.txt"
        elif "json" in ctype:
            text, ext = json_text(body), "json"
        elif "html" in ctype:
            text, ext = pretty_html(body.decode("utf-8", "replace")), "html"
        else:
            text, ext = f"<{len(body)} bytes of {ctype}>\n", "bin.txt"
        name = f"{lang}/{username}/{slug}.{ext}"
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(scrub(text, literals), encoding="utf-8")
        index.append(f"{lang}\t{username}\t{path}\t{response.status_code}\t{ctype}\t{disposition}\t{location}\t{name}")
        return body.decode("utf-8", "replace") if ext == "html" else ""

    def first_links(html: str, pattern: str, count: int) -> list[str]:
        seen: list[str] = []
        for match in re.finditer(pattern, html):
            if match.group(0) not in seen:
                seen.append(match.group(0))
            if len(seen) == count:
                break
        return seen

    case_link = r"/cases/\d+/(?=[\"'])"
    registration_link = r"/inspections/registrations/\d+/(?=[\"'])"
    seed_case = Case.objects.order_by("number").first()
    meetings = list(Meeting.objects.order_by("pk"))
    scjg = User.objects.get(username="jiancha").organisation
    first_registration = Inspection.objects.filter(department=scjg).order_by("number").first()

    for lang in ("zh-hans", "en"):
        # the case inbox, case pages, the case .xlsx export, the API's case list and detail
        for username in ("diaodu", "chengban", "qiye", "lingdao"):
            html = fetch(username, lang, "/cases/")
            fetch(username, lang, "/cases/?scope=all")
            fetch(username, lang, "/cases/export.xlsx")
            fetch(username, lang, "/cases/export.xlsx?scope=all")
            for link in first_links(html, case_link, 3):
                fetch(username, lang, link)
                fetch(username, lang, f"/api/v1{link.rstrip('/')}", api=True)
            fetch(username, lang, "/api/v1/cases", api=True)
        if seed_case is not None:
            fetch("diaodu", lang, f"/cases/{seed_case.pk}/")
        for username in ("diaodu", "chengban"):
            fetch(username, lang, "/")
            fetch(username, lang, "/notifications/")
        # the dashboard
        for username in ("lingdao", "ducha", "diaodu2"):
            fetch(username, lang, "/dashboard/")
        fetch("lingdao", lang, "/dashboard/late-nodes/")
        fetch("lingdao", lang, "/dashboard/red-yellow/")
        # the weekly dispatch meetings: page, notice .docx and .xlsx
        fetch("diaodu2", lang, "/projects/meetings/")
        for meeting in meetings:
            fetch("diaodu2", lang, f"/projects/meetings/{meeting.pk}/")
            fetch("diaodu2", lang, f"/projects/meetings/{meeting.pk}/notice.docx")
            fetch("diaodu2", lang, f"/projects/meetings/{meeting.pk}/notice.xlsx")
        # inspections: the department's registrations (page and .xlsx), registrations, supervision
        fetch("jiancha", lang, "/inspections/department/")
        html = fetch("jiancha", lang, "/inspections/department/registrations/")
        fetch("jiancha", lang, "/inspections/department/registrations/?format=xlsx")
        links = first_links(html, registration_link, 2)
        if first_registration is not None:
            links.append(f"/inspections/registrations/{first_registration.pk}/")
        for link in dict.fromkeys(links):
            fetch("jiancha", lang, link)
        fetch("ducha", lang, "/inspections/supervision/")
        fetch("ducha", lang, "/inspections/supervision/registrations/")
        fetch("ducha", lang, "/inspections/supervision/registrations/?format=xlsx")

    (out / "_index.txt").write_text("\n".join(index) + "\n", encoding="utf-8")
    dump_database(out / "_db")
    bad = [line for line in index if line.split("\t")[3] not in {"200"}]
    print(f"{len(index)} answers written to {out}; not 200: {len(bad)}", file=sys.stderr)
    for line in bad:
        print("  " + line, file=sys.stderr)
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--inner":
        sys.exit(inner(sys.argv[2]))
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(outer(sys.argv[1], sys.argv[2]))
