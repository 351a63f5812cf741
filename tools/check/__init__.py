"""Quality gates behind `invoke check` (issue 8): one module per gate, a runner, a report.

Each gate module has NAME, TITLE and ``check(...) -> Outcome``; see runner.GATES
for how each is called and README.md in this folder for what each proves.
"""
