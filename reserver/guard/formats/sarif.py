"""SARIF 2.1.0, the format code-scanning services (GitHub, GitLab) import."""

from __future__ import annotations

import json
from collections.abc import Sequence

from ...typo.kinds import describe
from ..model import Finding

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
RULE_ID = "reserver/typosquat"


def _text(finding: Finding) -> str:
    if not finding.target:  # a name the index does not have: nothing else was meant
        return f"{finding.name!r}: {finding.match.detail}"
    return (
        f"{finding.name!r} looks like {describe(finding.kind)} {finding.target!r} "
        f"({finding.match.detail}); did you mean {finding.target}?"
    )


def render(findings: Sequence[Finding]) -> str:
    from ... import __version__

    results = []
    for finding in findings:
        result: dict[str, object] = {
            "ruleId": RULE_ID,
            "level": finding.level,
            "message": {"text": _text(finding)},
            "properties": {"target": finding.target, "kind": finding.kind,
                           "score": round(finding.score, 3)},
        }  # fmt: skip
        if finding.location is not None:
            region = {"startLine": finding.location.line} if finding.location.line else {}
            result["locations"] = [
                {"physicalLocation": {"artifactLocation": {"uri": finding.location.path},
                                      **({"region": region} if region else {})}}
            ]  # fmt: skip
        results.append(result)
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "reserver",
                        "version": __version__,
                        "informationUri": "https://example.invalid/reserver",
                        "rules": [
                            {
                                "id": RULE_ID,
                                "name": "LikelyTyposquat",
                                "shortDescription": {
                                    "text": "A dependency looks like a mistyped popular package"
                                },
                            }
                        ],
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(document, indent=2) + "\n"
