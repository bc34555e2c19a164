"""After `sam build`: is each function, with its layers, under Lambda's 250 MB, and does it import?

For every function in the built template it adds up the unzipped bytes of the function's
folder and of each layer it uses (Lambda counts them together), prints a table, and imports
the handler under python3.12 in a child started with -I -S -B: no site-packages, no PYTHON*
variables, so only the function folder, the layers' python/ folders and the AWS SDK (which
Lambda's runtime ships in /var/runtime) can be seen, in Lambda's order.

    .venv/bin/python infra/check_size.py --python /path/to/python3.12 .aws-sam/build
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from newsingest.local.resources import load_template

LIMIT_BYTES = 262_144_000  # Lambda: 250 MB unzipped, function and all its layers together
RUNTIME_SDK = ("boto3", "botocore", "s3transfer")  # what /var/runtime provides besides the stdlib

# Runs inside the isolated child: set Lambda's path, prove the dev environment is out of sight, import.
_IMPORT_PROBE = """
import importlib, os, sys
sys.path[:0] = sys.argv[2].split(os.pathsep)
leaks = [p for p in sys.path if "site-packages" in p or ".venv" in p]
assert not leaks, f"dev environment visible: {leaks}"
module, _, attr = sys.argv[1].rpartition(".")
assert callable(getattr(importlib.import_module(module), attr)), f"{sys.argv[1]} is not callable"
"""


@dataclass(frozen=True)
class Report:
    function: str
    code_bytes: int
    layer_bytes: dict[str, int]
    import_error: str | None

    @property
    def total(self) -> int:
        return self.code_bytes + sum(self.layer_bytes.values())

    @property
    def ok(self) -> bool:
        return self.total < LIMIT_BYTES and self.import_error is None


def tree_bytes(path: Path) -> int:
    """Apparent size of every file under path, as the unzipped package would have it."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            total += os.lstat(os.path.join(root, name)).st_size
    return total


def runtime_sdk_dir(tmp: Path) -> Path:
    """A stand-in for /var/runtime: only the SDK packages, linked from this environment."""
    sdk = tmp / "runtime"
    sdk.mkdir()
    for name in RUNTIME_SDK:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise SystemExit(f"{name} is not installed here: it stands in for the Lambda runtime's copy")
        (sdk / name).symlink_to(Path(spec.origin).parent)
    return sdk


def import_handler(python: str, handler: str, path: list[Path]) -> str | None:
    env = {"PATH": os.environ.get("PATH", ""), "AWS_DEFAULT_REGION": "us-east-1", "POWERTOOLS_TRACE_DISABLED": "1"}
    result = subprocess.run(
        [python, "-I", "-S", "-B", "-c", _IMPORT_PROBE, handler, os.pathsep.join(str(p) for p in path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    if result.returncode == 0:
        return None
    lines = result.stderr.strip().splitlines()
    return lines[-1] if lines else f"exit {result.returncode}"


def check(build_dir: Path, python: str) -> list[Report]:
    resources = load_template(build_dir / "template.yaml")["Resources"]
    reports = []
    with tempfile.TemporaryDirectory() as tmp:
        sdk = runtime_sdk_dir(Path(tmp))
        for lid, res in resources.items():
            if res["Type"] != "AWS::Serverless::Function":
                continue
            props = res["Properties"]
            code = build_dir / props["CodeUri"]
            layers = [ref["Ref"] for ref in props.get("Layers", [])]
            layer_dirs = {layer: build_dir / resources[layer]["Properties"]["ContentUri"] for layer in layers}
            code_bytes = tree_bytes(code)
            layer_bytes = {layer: tree_bytes(d) for layer, d in layer_dirs.items()}
            path = [code, *(d / "python" for d in layer_dirs.values()), sdk]
            error = import_handler(python, props["Handler"], path)
            reports.append(Report(lid, code_bytes, layer_bytes, error))
    return reports


def print_table(reports: list[Report]) -> None:
    mb = 1_000_000
    print(f"{'function':<18} {'code MB':>8} {'layers MB':>10} {'total MB':>9} {'limit MB':>9}  import  layers")
    for r in reports:
        layers = ", ".join(f"{name} {size / mb:.1f}" for name, size in r.layer_bytes.items())
        status = "ok" if r.import_error is None else "FAILED"
        print(
            f"{r.function:<18} {r.code_bytes / mb:>8.1f} {sum(r.layer_bytes.values()) / mb:>10.1f} "
            f"{r.total / mb:>9.1f} {LIMIT_BYTES / mb:>9.1f}  {status:<6}  {layers}"
        )
    for r in reports:
        if r.import_error:
            print(f"{r.function}: import failed: {r.import_error}")
        if r.total >= LIMIT_BYTES:
            print(f"{r.function}: {r.total} bytes unzipped, over Lambda's {LIMIT_BYTES}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build_dir", type=Path, nargs="?", default=Path(".aws-sam/build"))
    parser.add_argument("--python", default=sys.executable, help="python3.12 to import the handlers with")
    args = parser.parse_args(argv)
    reports = check(args.build_dir, args.python)
    print_table(reports)
    return 0 if reports and all(r.ok for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
