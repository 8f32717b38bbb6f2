"""Campaign files are plain data: anchors, aliases, Python tags and deep nesting are
refused as an InvalidRule on the field "yaml" before anything is built."""

import pytest

from dacu.domain.errors import InvalidRule
from dacu.schemas.yamlfile import load_yaml


def test_plain_campaign_yaml_still_loads_with_yaml_12_booleans():
    loaded = load_yaml("tiers:\n  - {threshold: 30000, off: 3000}\nlive: true\nquote: 'x'\n")
    assert loaded == {"tiers": [{"threshold": 30000, "off": 3000}], "live": True, "quote": "x"}


@pytest.mark.parametrize(
    "text",
    [
        "a: &a [1, 2]\nb: [*a, *a]\n",
        "a: *missing\n",
        "a: !!python/object/apply:subprocess.check_output [[id]]\n",
        "a: !!python/tuple [1, 2]\n",
        "a: !custom 1\n",
        "a: " + "[" * 100 + "]" * 100 + "\n",
        "a: [unclosed\n",
    ],
    ids=["anchor", "alias", "python-apply", "python-tuple", "custom-tag", "deep", "broken"],
)
def test_what_a_campaign_file_never_needs_is_refused(text):
    with pytest.raises(InvalidRule) as refused:
        load_yaml(text)
    assert refused.value.field == "yaml"


def test_a_file_past_the_size_limit_is_refused_unread():
    with pytest.raises(InvalidRule, match="longer than"):
        load_yaml("a: 1\n" + "#" * 1_000_001)
