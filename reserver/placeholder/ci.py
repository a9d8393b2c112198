"""The environment variables that say an install runs in automation: one list, read by the
placeholder's ping, its README, the stats service's /why page and the demo.

Where one of SKIP is set, the placeholder sends nothing at all: these are the variables CI
systems and pip's own CI detection use to say "not a person". FLAG names automation that may
not set them (Azure's TF_BUILD, for one): such an install is counted with its automation flag
set, so the dashboard keeps people and machines apart.
"""

from __future__ import annotations

SKIP: tuple[str, ...] = ("CI", "BUILD_ID", "BUILD_BUILDID", "PIP_IS_CI")
FLAG: tuple[str, ...] = (
    "GITHUB_ACTIONS",
    "GITLAB_CI",
    "TRAVIS",
    "CIRCLECI",
    "JENKINS_URL",
    "TF_BUILD",
    "BUILDKITE",
    "TEAMCITY_VERSION",
)


def described(names: tuple[str, ...]) -> str:
    """``CI``, ``BUILD_ID`` or ``PIP_IS_CI``: the names as a sentence lists them.

    >>> described(("A", "B", "C"))
    'A, B or C'
    """
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
