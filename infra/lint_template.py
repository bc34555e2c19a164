"""Translate template.yaml with the SAM translator offline and cfn-lint both forms.

cfn-lint no longer runs the SAM transform itself, so the CloudFormation that SAM would
deploy (functions, roles, event source mappings, schedules) is linted here after an
offline translation: no AWS account and no network (managed policies map to fixed ARNs).

    .venv/bin/python infra/lint_template.py [template.yaml]
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from samtranslator.translator.transform import transform

from newsingest.local.resources import load_template

ROOT = Path(__file__).resolve().parent.parent
ARTIFACT = "s3://newsingest-artifacts/{}.zip"  # what `sam package` would put in place of local paths
CFN_LINT_ERROR = 2  # cfn-lint's exit code is a bit mask: 2 errors, 4 warnings, 8 informational


class _FixedPolicyLoader:
    """Stands in for the translator's IAM lookup of AWS managed policies (needs no account)."""

    def load(self) -> dict[str, str]:
        names = ("AWSLambdaBasicExecutionRole", "AWSXrayWriteOnlyAccess", "AWSLambdaSQSQueueExecutionRole")
        return {name: f"arn:aws:iam::aws:policy/{name}" for name in names}


def translate(template: dict[str, Any]) -> dict[str, Any]:
    """The CloudFormation template SAM would deploy, translated offline."""
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    sam = copy.deepcopy(template)
    function_globals = sam.get("Globals", {}).get("Function", {})
    if "CodeUri" in function_globals:
        function_globals["CodeUri"] = ARTIFACT.format("functions")
    for lid, resource in sam["Resources"].items():
        props = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if key in props:
                props[key] = ARTIFACT.format(lid)
    return transform(sam, {}, _FixedPolicyLoader())


def cfn_lint(path: Path) -> int:
    """Run cfn-lint (from the same environment) on one file; print its findings."""
    exe = Path(sys.executable).parent / "cfn-lint"
    result = subprocess.run([str(exe), "--format", "parseable", "--", str(path)], capture_output=True, text=True)
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    return result.returncode


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0] if args else ROOT / "template.yaml")
    codes = {"template": cfn_lint(path)}
    with tempfile.TemporaryDirectory() as tmp:
        translated = Path(tmp) / "translated.json"
        translated.write_text(json.dumps(translate(load_template(path)), indent=1))
        codes["translated"] = cfn_lint(translated)
    for name, code in codes.items():
        print(f"cfn-lint {name}: {'errors' if code & CFN_LINT_ERROR else 'no errors'} (exit {code})")
    return 1 if any(code & CFN_LINT_ERROR for code in codes.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
