"""The terminal progress bar: redrawn on one line in a terminal, a line per step elsewhere."""

import io

from yancheng.lib.progress import TextProgress


def test_in_a_terminal_the_bar_is_one_line_redrawn_in_place():
    stream = io.StringIO()
    progress = TextProgress(stream, total=4, tty=True)
    progress.step("正在加载：事项")
    progress.step("正在加载：重大项目")
    progress.finish("完成")
    text = stream.getvalue()
    assert text.count("\n") == 1 and text.endswith("完成\x1b[K\n")
    frames = text.rstrip("\n").split("\r")[1:]
    assert frames == [
        "[------------------------]   0% 1/4 正在加载：事项\x1b[K",
        "[######------------------]  25% 2/4 正在加载：重大项目\x1b[K",
        "[########################] 100% 完成\x1b[K",
    ]


def test_elsewhere_every_step_is_a_plain_line():
    stream = io.StringIO()
    progress = TextProgress(stream, total=2, tty=False)
    progress.step("一")
    progress.step("二")
    progress.step("多出来的一步")  # never past the end
    progress.finish("完成")
    assert stream.getvalue().splitlines() == [
        "[------------------------]   0% 1/2 一",
        "[############------------]  50% 2/2 二",
        "[############------------]  50% 2/2 多出来的一步",
        "[########################] 100% 完成",
    ]
    assert "\r" not in stream.getvalue() and "\x1b" not in stream.getvalue()
