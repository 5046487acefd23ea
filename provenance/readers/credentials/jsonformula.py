"""The subset of json-formula the C2PA Asset Rubrics use, as a small Pratt parser and evaluator.

The rubrics (provenance/data/c2pa/rubrics/) are json-formula expressions over crJSON. The
reference evaluator runs them on Adobe's json-formula-py, which is not on PyPI; this module
implements the grammar and the semantics the rubrics rely on, written from the
json-formula specification (opensource.adobe.com/json-formula) and checked against the
reference evaluator's results (tests/test_c2pa_rubrics.py):

- paths: ``a.b``, ``'quoted.name'``, ``[0]`` (negative too), ``[?filter]``, ``[]`` (flatten),
  ``[*]`` / ``.*`` projections, ``|`` pipes, ``@`` (current), ``$name`` globals;
- literals: ``"string"``, numbers, ```json```, ``[a, b]`` lists, ``{key: value}`` objects;
- operators: ``||`` ``&&`` (return an operand, like JMESPath), ``!``, ``== !=`` (type-strict
  deep equality), ``< <= > >=`` (strings as strings, anything else as numbers), ``+ - * /``;
- functions: length, contains, startsWith, endsWith, notNull, keys, values, split, if, type,
  and *named expressions* (``_name``) with their arguments in the global ``$args``.

A missing field is null, never an error; a function given a value it cannot take raises
``FormulaError``, which the rubric runner records as "could not be evaluated", as the
reference does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class FormulaError(ValueError):
    """An expression that does not parse, or a function given a value it cannot take."""


# ----------------------------------------------------------------------------- lexer


@dataclass
class Token:
    """One lexical token: its kind and, where it has one, its value (a name, literal, operator)."""

    kind: str
    value: Any = None


_SIMPLE = {
    ".": "dot",
    ",": "comma",
    ":": "colon",
    "{": "lbrace",
    "}": "rbrace",
    "]": "rbracket",
    "(": "lparen",
    ")": "rparen",
    "@": "current",
    "+": "add",
    "/": "divide",
    "*": "star",
}
_NUMBER = re.compile(r"[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?")
_NAME = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
# After these, '-' is subtraction; elsewhere it is a unary minus.
_OPERAND_END = {
    "global",
    "current",
    "number",
    "rparen",
    "name",
    "quoted",
    "rbracket",
    "json",
    "string",
}


def tokenize(text: str) -> list[Token]:
    out: list[Token] = []
    i = 0
    while i < len(text):
        ch = text[i]
        prev = out[-1].kind if out else None
        if ch in " \t\r\n":
            i += 1
        elif ch == "$" and prev != "dot":
            m = _NAME.match(text, i)
            assert m
            out.append(Token("global", m.group()))
            i = m.end()
        elif ch.isalpha() or ch == "_":
            m = _NAME.match(text, i)
            assert m
            out.append(Token("name", m.group()))
            i = m.end()
        elif ch.isdigit() or (ch == "." and text[i + 1 : i + 2].isdigit()):
            m = _NUMBER.match(text, i)
            assert m
            raw = m.group()
            out.append(
                Token("number", float(raw) if "." in raw or "e" in raw.lower() else int(raw))
            )
            i = m.end()
        elif ch == "-":
            out.append(Token("subtract" if prev in _OPERAND_END else "minus"))
            i += 1
        elif ch in _SIMPLE:
            out.append(Token(_SIMPLE[ch], ch))
            i += 1
        elif ch == "[":
            nxt = text[i + 1 : i + 2]
            kind = {"?": "filter", "]": "flatten"}.get(nxt, "lbracket")
            out.append(Token(kind))
            i += 1 if kind == "lbracket" else 2
        elif ch in "'\"":
            end = _closing(text, i, ch)
            body = text[i + 1 : end]
            if ch == "'":
                body = body.replace("\\'", "'")
            try:
                value = json.loads(f'"{body}"')
            except json.JSONDecodeError as exc:
                raise FormulaError(f"bad quoted text at {i}: {body!r}") from exc
            out.append(Token("quoted" if ch == "'" else "string", value))
            i = end + 1
        elif ch == "`":
            end = _closing(text, i, "`")
            try:
                value = json.loads(text[i + 1 : end].replace("\\`", "`"))
            except json.JSONDecodeError as exc:
                raise FormulaError(f"bad JSON literal at {i}") from exc
            out.append(Token("json", value))
            i = end + 1
        elif ch in "<>=!":
            two = text[i : i + 2]
            if two in ("==", "!=", "<=", ">="):
                out.append(Token("compare", two))
                i += 2
            elif ch == "!":
                out.append(Token("not"))
                i += 1
            elif ch == "=":
                out.append(Token("compare", "=="))
                i += 1
            else:
                out.append(Token("compare", ch))
                i += 1
        elif ch == "&" and text[i : i + 2] == "&&":
            out.append(Token("and"))
            i += 2
        elif ch == "|":
            double = text[i : i + 2] == "||"
            out.append(Token("or" if double else "pipe"))
            i += 2 if double else 1
        else:
            raise FormulaError(f"character {ch!r} at {i} is outside the supported subset")
    out.append(Token("eof"))
    return out


def _closing(text: str, start: int, quote: str) -> int:
    i = start + 1
    while i < len(text):
        if text[i] == "\\" and quote != "`":
            i += 2
            continue
        if text[i] == "\\" and text[i + 1 : i + 2] == "`":
            i += 2
            continue
        if text[i] == quote:
            return i
        i += 1
    raise FormulaError(f"unterminated {quote} at {start}")


# ----------------------------------------------------------------------------- parser

# Binding powers of the json-formula grammar (tighter binds higher).
_BP = {
    "eof": 0,
    "name": 0,
    "quoted": 0,
    "rbracket": 0,
    "rparen": 0,
    "comma": 0,
    "rbrace": 0,
    "number": 0,
    "current": 0,
    "global": 0,
    "colon": 0,
    "pipe": 1,
    "or": 2,
    "and": 3,
    "compare": 4,
    "add": 6,
    "subtract": 6,
    "multiply": 7,
    "divide": 7,
    "not": 8,
    "minus": 8,
    "flatten": 10,
    "star": 20,
    "filter": 21,
    "dot": 40,
    "lbrace": 50,
    "lbracket": 55,
    "lparen": 60,
}

Node = tuple  # (kind, *children); kept as tuples so compiled rubrics are cheap to hold


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.i = 0

    def parse(self) -> Node:
        node = self.expression(0)
        if self.peek().kind != "eof":
            raise FormulaError(f"unexpected {self.peek().kind} after the expression")
        return node

    def peek(self, after_operand: bool = False) -> Token:
        tok = self.tokens[self.i]
        if after_operand and tok.kind == "star":
            return Token("multiply", "*")
        return tok

    def take(self, kind: str) -> Token:
        tok = self.tokens[self.i]
        if tok.kind != kind:
            raise FormulaError(f"expected {kind}, found {tok.kind}")
        self.i += 1
        return tok

    def expression(self, rbp: int) -> Node:
        tok = self.tokens[self.i]
        self.i += 1
        left = self.nud(tok)
        while rbp < _BP[self.peek(True).kind]:
            tok = self.peek(True)
            self.i += 1
            left = self.led(tok, left)
        return left

    def nud(self, tok: Token) -> Node:
        k = tok.kind
        if k in ("string", "json", "number"):
            return ("literal", tok.value)
        if k in ("name", "quoted"):
            return ("field", tok.value, k == "name")
        if k == "current":
            return ("current",)
        if k == "global":
            return ("global", tok.value)
        if k == "not":
            return ("not", self.expression(_BP["not"]))
        if k == "minus":
            return ("minus", self.expression(_BP["minus"]))
        if k == "star":
            rhs = ("current",) if self.peek().kind == "rbracket" else self.projection_rhs(20)
            return ("values_projection", ("current",), rhs)
        if k == "filter":
            return self.led(tok, ("current",))
        if k == "lbrace":
            return self.object_literal()
        if k == "flatten":
            return ("projection", ("flatten", ("current",)), self.projection_rhs(10))
        if k == "lbracket":
            if self.index_ahead():
                return ("index", ("current",), self.index_value())
            if self.peek().kind == "star" and self.tokens[self.i + 1].kind == "rbracket":
                self.i += 2
                return ("projection", ("current",), self.projection_rhs(20))
            return self.list_literal()
        if k == "lparen":
            inner = self.expression(0)
            self.take("rparen")
            return inner
        raise FormulaError(f"unexpected {k}")

    def led(self, tok: Token, left: Node) -> Node:
        k = tok.kind
        if k == "dot":
            if self.peek().kind == "star":
                self.i += 1
                return ("values_projection", left, self.projection_rhs(40))
            return ("chain", left, self.dot_rhs(40))
        if k == "pipe":
            return ("pipe", left, self.expression(_BP["pipe"]))
        if k in ("or", "and", "add", "subtract", "multiply", "divide"):
            return (k, left, self.expression(_BP[k]))
        if k == "compare":
            return ("compare", tok.value, left, self.expression(_BP["compare"]))
        if k == "lparen":
            if left[0] != "field" or not left[2]:
                raise FormulaError("a function name must be an unquoted identifier")
            args: list[Node] = []
            while self.peek().kind != "rparen":
                if args:
                    self.take("comma")
                args.append(self.expression(0))
            self.take("rparen")
            return ("call", left[1], tuple(args))
        if k == "filter":
            condition = self.expression(0)
            self.take("rbracket")
            return ("filter", left, self.projection_rhs(21), condition)
        if k == "flatten":
            return ("projection", ("flatten", left), self.projection_rhs(10))
        if k == "lbracket":
            if self.peek().kind == "star" and self.tokens[self.i + 1].kind == "rbracket":
                self.i += 2
                return ("projection", left, self.projection_rhs(20))
            return ("index", left, self.index_value())
        raise FormulaError(f"unexpected {k}")

    def index_ahead(self) -> bool:
        j = self.i + (1 if self.tokens[self.i].kind == "minus" else 0)
        return self.tokens[j].kind == "number" and self.tokens[j + 1].kind in ("rbracket", "colon")

    def index_value(self) -> int:
        sign = -1 if self.peek().kind == "minus" else 1
        if sign < 0:
            self.i += 1
        tok = self.take("number")
        if self.peek().kind == "colon":
            raise FormulaError("slices are outside the supported subset")
        self.take("rbracket")
        if not isinstance(tok.value, int):
            raise FormulaError("an index must be an integer")
        return sign * tok.value

    def dot_rhs(self, rbp: int) -> Node:
        kind = self.peek().kind
        if kind in ("name", "quoted", "star"):
            return self.expression(rbp)
        if kind == "lbracket":
            self.i += 1
            return self.list_literal()
        if kind == "lbrace":
            self.i += 1
            return self.object_literal()
        raise FormulaError("expected a name, '[' or '{' after '.'")

    def projection_rhs(self, rbp: int) -> Node:
        tok = self.peek(True)
        if _BP[tok.kind] <= _BP["flatten"]:
            return ("current",)
        if tok.kind in ("lbracket", "filter"):
            return self.expression(rbp)
        if tok.kind == "dot":
            self.i += 1
            return self.dot_rhs(rbp)
        raise FormulaError(f"unexpected {tok.kind} in a projection")

    def list_literal(self) -> Node:
        items = []
        while self.peek().kind != "rbracket":
            items.append(self.expression(0))
            if self.peek().kind == "comma":
                self.i += 1
        self.take("rbracket")
        return ("list", tuple(items))

    def object_literal(self) -> Node:
        pairs = []
        while True:
            key = self.tokens[self.i]
            if key.kind not in ("name", "quoted"):
                raise FormulaError("object keys must be names")
            self.i += 1
            self.take("colon")
            pairs.append((key.value, self.expression(0)))
            if self.peek().kind == "comma":
                self.i += 1
                continue
            self.take("rbrace")
            return ("object", tuple(pairs))


def compile_expression(text: str) -> Node:
    return _Parser(text.strip()).parse()


# ----------------------------------------------------------------------------- values


def truthy(value: Any) -> bool:
    if isinstance(value, list | dict):
        return len(value) > 0
    return bool(value)


def strict_equal(a: Any, b: Any) -> bool:
    """json-formula's ==: equal value *and* equal type (1 == 1.0 is false, true == 1 too)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(strict_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(strict_equal(a[k], b[k]) for k in a)
    return bool(a == b)


def to_number(value: Any) -> float | int:
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return 0.0
    raise FormulaError(f"cannot use a {type(value).__name__} as a number")


def to_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        raise FormulaError(f"cannot use a {type(value).__name__} as a string")
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _text_or_list(value: Any) -> Any:
    """Coerce an argument declared string-or-array-of-strings (null becomes "")."""
    if isinstance(value, list):
        return [_text_or_list(v) for v in value]
    if isinstance(value, dict):
        raise FormulaError("expected a string, got an object")
    return to_text(value)


def _broadcast(fn: Callable[..., Any], *args: Any) -> Any:
    """String functions apply element-wise when an argument is an array."""
    if any(isinstance(a, list) for a in args):
        width = max(len(a) for a in args if isinstance(a, list))
        rows = [
            [(a[i] if i < len(a) else None) if isinstance(a, list) else a for a in args]
            for i in range(width)
        ]
        return [_broadcast(fn, *row) for row in rows]
    return fn(*args)


def _length(value: Any) -> int:
    if isinstance(value, list | dict | str):
        return len(value)
    return len(to_text(value))


def _contains(subject: Any, search: Any) -> bool:
    if isinstance(subject, dict):
        raise FormulaError("contains() takes a string or an array")
    if isinstance(subject, list):
        return any(strict_equal(item, search) for item in subject)
    if not isinstance(search, str):
        raise FormulaError("contains() on a string needs a string to look for")
    return search in to_text(subject)


def _object(value: Any, fn: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise FormulaError(f"{fn}() takes an object, got {type_name(value)}")
    return value


def _split(value: Any, separator: Any) -> list[str]:
    text, sep = to_text(value), to_text(separator)
    return list(text) if sep == "" else text.split(sep)


_BUILTINS: dict[str, tuple[int, Callable[..., Any]]] = {
    "length": (1, _length),
    "contains": (2, _contains),
    "startsWith": (
        2,
        lambda a, b: _broadcast(lambda x, y: x.startswith(y), _text_or_list(a), _text_or_list(b)),
    ),
    "endsWith": (
        2,
        lambda a, b: _broadcast(lambda x, y: x.endswith(y), _text_or_list(a), _text_or_list(b)),
    ),
    "keys": (1, lambda o: list(_object(o, "keys"))),
    "values": (1, lambda o: list(_object(o, "values").values())),
    "split": (2, lambda a, b: _broadcast(_split, _text_or_list(a), _text_or_list(b))),
    "type": (1, type_name),
}


# ----------------------------------------------------------------------------- evaluator


@dataclass
class Formulas:
    """Named expressions (``_name``) and variables (``$name``) of one rubric."""

    expressions: dict[str, str] = field(default_factory=dict)
    variables: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._compiled = {name: compile_expression(str(e)) for name, e in self.expressions.items()}
        self._arity = _arities(self.expressions)
        self._cache: dict[str, Node] = {}

    def search(self, expression: str, data: Any) -> Any:
        node = self._cache.get(expression)
        if node is None:
            node = self._cache[expression] = compile_expression(expression)
        return _Evaluator(self, dict(self.variables)).visit(node, data)


def _arities(expressions: dict[str, str]) -> dict[str, int]:
    """How many arguments each named expression takes: the most it is called with in the
    other expressions, or one more than the highest ``$args[N]`` its body reads."""
    arity = dict.fromkeys(expressions, 0)
    for name in expressions:
        call = re.compile(r"\b" + re.escape(name) + r"\s*\(")
        for body in expressions.values():
            for m in call.finditer(str(body)):
                arity[name] = max(arity[name], _count_args(str(body)[m.end() :]))
    for name, body in expressions.items():
        refs = [int(n) for n in re.findall(r"\$args\[(\d+)\]", str(body))]
        if refs:
            arity[name] = max(arity[name], max(refs) + 1)
        elif re.search(r"\$args\b", str(body)):
            arity[name] = max(arity[name], 1)
    return arity


def _count_args(rest: str) -> int:
    if rest.lstrip().startswith(")"):
        return 0
    depth, count = 1, 1
    for ch in rest:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                break
        elif ch == "," and depth == 1:
            count += 1
    return count


class _Evaluator:
    def __init__(self, formulas: Formulas, variables: dict[str, Any]) -> None:
        self.f = formulas
        self.globals = variables

    def visit(self, node: Node, value: Any) -> Any:
        kind = node[0]
        if kind == "field":
            return value.get(node[1]) if isinstance(value, dict) else None
        if kind == "literal":
            return node[1]
        if kind == "current":
            return value
        if kind == "global":
            return self.globals.get(node[1])
        if kind == "chain":
            left = self.visit(node[1], value)
            return None if left is None else self.visit(node[2], left)
        if kind == "index":
            base = self.visit(node[1], value)
            if not isinstance(base, list):
                return None
            i = node[2] + len(base) if node[2] < 0 else node[2]
            return base[i] if 0 <= i < len(base) else None
        if kind == "projection":
            base = self.visit(node[1], value)
            if not isinstance(base, list):
                return None
            return [self.visit(node[2], item) for item in base]
        if kind == "values_projection":
            base = self.visit(node[1], value)
            if not isinstance(base, dict):
                return None
            return [self.visit(node[2], item) for item in base.values()]
        if kind == "filter":
            base = self.visit(node[1], value)
            if not isinstance(base, list):
                return None
            kept = [item for item in base if truthy(self.visit(node[3], item))]
            return [self.visit(node[2], item) for item in kept]
        if kind == "flatten":
            base = self.visit(node[1], value)
            if not isinstance(base, list):
                return None
            out: list[Any] = []
            for item in base:
                out.extend(item) if isinstance(item, list) else out.append(item)
            return out
        if kind == "pipe":
            return self.visit(node[2], self.visit(node[1], value))
        if kind == "or":
            first = self.visit(node[1], value)
            return first if truthy(first) else self.visit(node[2], value)
        if kind == "and":
            first = self.visit(node[1], value)
            return self.visit(node[2], value) if truthy(first) else first
        if kind == "not":
            return not truthy(self.visit(node[1], value))
        if kind == "compare":
            return _compare(node[1], self.visit(node[2], value), self.visit(node[3], value))
        if kind in ("add", "subtract", "multiply", "divide"):
            return _arith(kind, self.visit(node[1], value), self.visit(node[2], value))
        if kind == "minus":
            return -to_number(self.visit(node[1], value))
        if kind == "list":
            return [self.visit(item, value) for item in node[1]]
        if kind == "object":
            return {key: self.visit(item, value) for key, item in node[1]}
        if kind == "call":
            return self.call(node[1], node[2], value)
        raise FormulaError(f"unknown node {kind}")

    def call(self, name: str, arg_nodes: tuple[Node, ...], value: Any) -> Any:
        if name == "if":
            if len(arg_nodes) != 3:
                raise FormulaError("if() takes 3 arguments")
            cond = truthy(self.visit(arg_nodes[0], value))
            return self.visit(arg_nodes[1] if cond else arg_nodes[2], value)
        args = [self.visit(a, value) for a in arg_nodes]
        if name == "notNull":
            return next((a for a in args if a is not None), None)
        if name in self.f._compiled:
            return self.named(name, args, value)
        if name not in _BUILTINS:
            raise FormulaError(f"function {name}() is outside the supported subset")
        arity, fn = _BUILTINS[name]
        if len(args) != arity:
            raise FormulaError(f"{name}() takes {arity} arguments, got {len(args)}")
        return fn(*args)

    def named(self, name: str, args: list[Any], value: Any) -> Any:
        arity = self.f._arity[name]
        if len(args) != arity:
            raise FormulaError(f"{name}() takes {arity} arguments, got {len(args)}")
        if arity == 0:
            return self.visit(self.f._compiled[name], value)
        saved = self.globals.get("$args")
        self.globals["$args"] = args
        try:
            return self.visit(self.f._compiled[name], value)
        finally:
            if saved is None:
                self.globals.pop("$args", None)
            else:
                self.globals["$args"] = saved


def _compare(op: str, a: Any, b: Any) -> bool:
    if op == "==":
        return strict_equal(a, b)
    if op == "!=":
        return not strict_equal(a, b)
    if isinstance(a, list | dict) or isinstance(b, list | dict):
        return False
    if not (isinstance(a, str) and isinstance(b, str)):
        a, b = to_number(a), to_number(b)
    if op == "<":
        return bool(a < b)
    if op == "<=":
        return bool(a <= b)
    if op == ">":
        return bool(a > b)
    return bool(a >= b)


def _arith(kind: str, a: Any, b: Any) -> Any:
    if isinstance(a, list) or isinstance(b, list):
        la = a if isinstance(a, list) else None
        lb = b if isinstance(b, list) else None
        width = max(len(x) for x in (la, lb) if x is not None)
        pad = [None] * width
        ra = (la + pad)[:width] if la is not None else [a] * width
        rb = (lb + pad)[:width] if lb is not None else [b] * width
        return [_arith(kind, x, y) for x, y in zip(ra, rb, strict=True)]
    x, y = to_number(a), to_number(b)
    if kind == "add":
        return x + y
    if kind == "subtract":
        return x - y
    if kind == "multiply":
        return x * y
    if y == 0:
        raise FormulaError("division by zero")
    return x / y
