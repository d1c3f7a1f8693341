"""Arrows point one way: incidents use guidance; guidance knows nothing of incidents."""

import ast
from pathlib import Path

import guidance

OTHER_APPS = {"incidents", "cases", "stats", "notifications"}


def test_guidance_imports_no_other_feature_app():
    root = Path(guidance.__file__).parent
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                assert name.split(".")[0] not in OTHER_APPS, f"{path.name} imports {name}"


def test_the_engine_modules_need_no_django():
    root = Path(guidance.__file__).parent
    for module in (
        "checklist.py",
        "engine.py",
        "rules_2026_01.py",
        "rules_2026_12.py",
        "triage.py",
        "diff.py",
    ):
        source = (root / module).read_text()
        assert "django" not in source, module
