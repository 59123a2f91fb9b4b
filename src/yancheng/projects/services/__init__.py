"""The writes of 五制一平台, one module per subject: ``registry`` (a project, its stage, annual
plan and 专班), ``approvals`` (项目代办), ``factors`` (要素保障), ``reports`` (日反馈 and monthly
reports), ``supervision`` (承诺兑现, 现场观摩), ``nodes`` (the schedule), ``meetings`` (the weekly
dispatch meeting) and ``notices`` (its circulated notice). Import from the module itself."""
