"""Registry word use: how many names use the word a slip made, and what detection makes of it."""

from __future__ import annotations

from reserver.guard.detect import Detector
from reserver.typo.vocabulary import Vocabulary, count_words, default_vocabulary


def test_a_name_counts_each_of_its_words_once() -> None:
    counts = count_words(["flask-utils", "utils-utils", "django-utils", "flask"])
    assert counts["utils"] == 3 and counts["flask"] == 2 and counts["django"] == 1


def test_a_member_is_counted_without_itself() -> None:
    names = ["cord-tools", "cofrd", "cord"]
    vocabulary = Vocabulary(dict(count_words(names)), frozenset(names))
    assert vocabulary.uses("cofrd", "cofrd") == 0  # only itself
    assert vocabulary.uses("cord", "cord") == 1  # cord-tools, not cord
    assert vocabulary.uses("cord", "py-cord") == 2  # not a member: nothing to leave out
    # The shipped counts know no members: a name cannot be told from a new one.
    assert default_vocabulary().members == ()


def test_the_band_is_the_rarest_new_word() -> None:
    vocabulary = Vocabulary({"utils": 500, "util": 300, "cofrd": 1, "dev": 40})
    assert vocabulary.band("py-cofrd", "py-cord") == "2"  # a word of its own
    assert vocabulary.band("alembic-util", "alembic-utils") == "more"
    assert vocabulary.band("util-dev", "utils-dev") == "more"  # "dev" is the target's own
    assert vocabulary.band("utils-dev", "utils-dev-tools") == "more"  # no new word at all
    assert vocabulary.band("cofrd-dev", "cord-dev") == "2"


def test_a_slip_into_a_word_other_projects_use_weighs_less() -> None:
    corpus = ["gunicorn", "requests"]
    fresh = Detector(corpus, vocabulary=Vocabulary({}))
    used = Detector(corpus, vocabulary=Vocabulary({"gunicorm": 40}))
    assert used.evidence("gunicorm") < fresh.evidence("gunicorm")
    # A word of its own is an attacker's slip more often than a legitimate project's.
    assert fresh.check("gunicorm") is not None
