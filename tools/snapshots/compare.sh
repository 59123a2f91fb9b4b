#!/usr/bin/env bash
# compare.sh <commitA> <commitB>
#
# Snapshots the demo's pages and documents at two commits of this repository and
# diffs them. For each commit: a detached worktree $WORK/wt-<sha> (git worktree add),
# `uv sync --frozen`, `snapshot.py` into $WORK/snap-<sha> (kept and reused on the next
# run; FRESH=1 redoes it). Then `diff -ru` into $WORK/diff-<shaA>-<shaB>.txt and a
# summary (summarise.py) on stdout and in $WORK/summary-<shaA>-<shaB>.txt.
# WORK defaults to var/snapshots in the checkout (ignored by git).
# The worktrees this script added are removed at the end unless KEEP_WORKTREES=1.
# Exit status: 0 when the snapshots are the same, 1 when they differ, 2 on failure.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=${REPO:-$(git -C "$HERE" rev-parse --show-toplevel)}
WORK=${WORK:-$REPO/var/snapshots}
mkdir -p "$WORK"
[ $# -eq 2 ] || { echo "usage: $0 <commitA> <commitB>" >&2; exit 2; }

added=()
cleanup() {
  if [ "${KEEP_WORKTREES:-0}" != 1 ]; then
    for wt in "${added[@]}"; do
      git -C "$REPO" worktree remove --force "$wt" && echo "removed worktree $wt" >&2
    done
  fi
}
trap cleanup EXIT

snap() {  # <commit> -> prints the snapshot folder
  local sha wt out
  sha=$(git -C "$REPO" rev-parse --short=7 "$1^{commit}")
  wt="$WORK/wt-$sha"
  out="$WORK/snap-$sha"
  if [ -f "$out/_index.txt" ] && [ "${FRESH:-0}" != 1 ]; then
    echo "snapshot of $sha already in $out (FRESH=1 to redo)" >&2
  else
    if [ ! -d "$wt" ]; then
      git -C "$REPO" worktree add --detach "$wt" "$sha" >&2
      added+=("$wt")
    fi
    (cd "$wt" && uv sync --frozen -q) >&2
    rm -rf "$out"
    echo "snapshot of $sha ($(git -C "$REPO" log -1 --format=%s "$sha" | cut -c1-70)) ..." >&2
    python3 "$HERE/snapshot.py" "$wt" "$out" >&2 || { echo "snapshot of $sha failed" >&2; exit 2; }
  fi
  SNAP_SHA=$sha
}

snap "$1"; A=$SNAP_SHA
snap "$2"; B=$SNAP_SHA

DIFF="$WORK/diff-$A-$B.txt"
SUMMARY="$WORK/summary-$A-$B.txt"
(cd "$WORK" && diff -ru "snap-$A" "snap-$B" > "$DIFF") && same=1 || same=0
{
  echo "compare $A ($(git -C "$REPO" log -1 --format=%s "$A" | cut -c1-60)) -> $B ($(git -C "$REPO" log -1 --format=%s "$B" | cut -c1-60))"
  echo "diff: $DIFF ($(wc -l < "$DIFF") lines)"
  python3 "$HERE/summarise.py" "$WORK/snap-$A" "$WORK/snap-$B" || true
} | tee "$SUMMARY"
[ "$same" = 1 ] && exit 0 || exit 1
