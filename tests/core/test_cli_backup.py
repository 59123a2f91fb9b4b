"""`yancheng backup` and `yancheng restore` are commands of the CLI and named in its help."""

from yancheng import cli


def test_the_help_names_backup_and_restore(capsys):
    cli.main(["--help"])
    out = capsys.readouterr().out
    assert "yancheng backup" in out and "yancheng restore FILE" in out


def test_backup_and_restore_reach_their_management_commands():
    assert cli.translate(["backup", "--output", "x.tar"]) == ["backup", "--output", "x.tar"]
    assert cli.translate(["restore", "x.tar", "--replace"]) == ["restore", "x.tar", "--replace"]
    from django.core.management import get_commands

    assert get_commands()["backup"] == "yancheng.core"
    assert get_commands()["restore"] == "yancheng.core"
