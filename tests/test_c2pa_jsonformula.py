"""The json-formula subset the C2PA Asset Rubrics use (readers/credentials/jsonformula.py).

Expected values are json-formula's documented semantics, each also what Adobe's json-formula-py
returns for the same expression (checked when the module was written).
"""

from __future__ import annotations

import pytest

from provenance.readers.credentials.jsonformula import FormulaError, Formulas

DATA = {
    "x": [1, 2],
    "s": "2.4",
    "assertions": {
        "c2pa.actions.v2": {
            "actions": [
                {"action": "c2pa.created", "digitalSourceType": "u"},
                {"action": "c2pa.opened", "parameters": {"ingredients": [1]}},
            ]
        }
    },
}
F = Formulas(
    {"_first": "$args[0].x", "_or": "_first(@) || `[]`", "_two": "$args[1]"},
    {"$list": ["p", "q"]},
)

CASES = [
    ("x", [1, 2]),
    ("x[-1]", 2),
    ("x[5]", None),
    ("nope.deeper", None),
    ("assertions.'c2pa.actions.v2'.actions[0].action", "c2pa.created"),
    ("assertions.'c2pa.actions.v2'.actions[?action == \"c2pa.created\"].digitalSourceType", ["u"]),
    ("values(assertions)[?actions != null][].actions[].action", ["c2pa.created", "c2pa.opened"]),
    (
        "assertions.'c2pa.actions.v2'.actions[?parameters != null] | [].keys(parameters)[]",
        ["ingredients"],
    ),
    ("_first(@)", [1, 2]),
    ("_or()", [1, 2]),
    ('_two(@, "b")', "b"),
    ('contains($list, "p")', True),
    ('contains(s, ".")', True),
    ('!contains(s, ".")', False),
    ("length(nope) == 0", True),  # null counts as an empty string
    ("length(x) == 2", True),
    ('startsWith(nope, "c2pa.")', False),
    ('endsWith(s, ".4")', True),
    ('split(s, `"."`)[0] * 1 > 1.0', True),
    ('split(s, ".")[1] >= "4"', True),  # two strings compare as strings
    ("`1` == `1.0`", False),  # == is type-strict
    ('notNull(nope, "d")', "d"),
    ("[(x)]", [[1, 2]]),
    ('{ failure: [{code: "M"}] }', {"failure": [{"code": "M"}]}),
    ("if(x, `1`, `2`)", 1),
    ("nope || `[]`", []),
    ('x && `"y"`', "y"),
    ('`[]` && `"y"`', []),
    ('type(s) != `"string"`', False),
    ("keys(assertions)", ["c2pa.actions.v2"]),
]


@pytest.mark.parametrize("expression,expected", CASES)
def test_expression(expression, expected):
    assert F.search(expression, DATA) == expected


@pytest.mark.parametrize(
    "expression",
    [
        "keys(nope)",  # keys() of null: not an object
        "contains(s, `1`)",  # a string searched for a number
        "_first()",  # a named expression takes as many arguments as it reads
        "unknownFunction(x)",
        "x[0:1]",  # slices are outside the subset
        "x[",
    ],
)
def test_errors_are_reported_not_guessed(expression):
    with pytest.raises(FormulaError):
        F.search(expression, DATA)


def test_args_are_restored_after_a_nested_call():
    f = Formulas(
        {
            "_inner": "$args[0].x",
            "_outer": "_inner($args[0])[? @ == $args[1]]",
        }
    )
    assert f.search("_outer(@, `2`)", DATA) == [2]
