"""Safe BPMN expressions and scripts.

SpiffWorkflow evaluates conditions, timer expressions and scripts as Python. A pathway file is input from a
modeller, so nothing in it may reach the server: every expression is checked against an allow-list of syntax,
names and functions before it is accepted (lint and deploy) and again before it runs. What is not on the list
is rejected with the reason, never executed.

We check the syntax tree ourselves rather than use a sandbox library because lint must name the exact
construct that is refused, and because scripts (assignments, if-statements) need the same rules as conditions.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Callable

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from engine.clock import OSLO
from engine.deadlines.calendar import add_days as _add_days_in_unit
from engine.deadlines.calendar import add_working_days as _add_working_days
from engine.deadlines.calendar import working_days_between as _working_days_between


class UnsafeExpression(ValueError):
    """An expression or script uses something outside the allow-list."""


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    raise TypeError(f"expected a date or an ISO date string, got {type(value).__name__}")


def add_working_days(day: Any, count: int) -> str:
    """ISO date `count` Norwegian working days after `day`."""
    return _add_working_days(_as_date(day), int(count)).isoformat()


def add_calendar_days(day: Any, count: int) -> str:
    """ISO date `count` calendar days after `day`."""
    return _add_days_in_unit(_as_date(day), int(count), "calendar_days").isoformat()


def add_calendar_months(day: Any, count: int) -> str:
    """ISO date `count` months after `day` (the month's last day when the later month is shorter)."""
    return _add_days_in_unit(_as_date(day), int(count), "calendar_months").isoformat()


def working_days_between(start: Any, end: Any) -> int:
    return _working_days_between(_as_date(start), _as_date(end))


def timer_at(day: Any) -> str:
    """Start of `day` in Norway, as the ISO date-time a BPMN timeDate timer expects."""
    d = _as_date(day)
    return datetime(d.year, d.month, d.day, tzinfo=OSLO).isoformat()


#: Functions a pathway expression may call, by name.
SAFE_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "len": len,
    "min": min,
    "max": max,
    "abs": abs,
    "int": int,
    "str": str,
    "bool": bool,
    "round": round,
    "sorted": sorted,
    "any": any,
    "all": all,
    "add_working_days": add_working_days,
    "add_calendar_days": add_calendar_days,
    "add_calendar_months": add_calendar_months,
    "working_days_between": working_days_between,
    "timer_at": timer_at,
}

#: Methods a pathway expression may call on a value (`value.get("x")`, `text.lower()`).
SAFE_METHODS = frozenset({"get", "keys", "values", "items", "lower", "upper", "strip", "startswith", "endswith"})

SAFE_CONSTANTS = {"True": True, "False": False, "None": None}

_ALLOWED_NODES: tuple[type[ast.AST], ...] = (
    ast.Module, ast.Expression, ast.Expr, ast.Assign, ast.AugAssign, ast.If, ast.Pass,
    ast.BoolOp, ast.BinOp, ast.UnaryOp, ast.Compare, ast.IfExp, ast.Call, ast.keyword,
    ast.Name, ast.Load, ast.Store, ast.Constant, ast.Attribute, ast.Subscript, ast.Slice,
    ast.List, ast.Tuple, ast.Dict, ast.Set,
    ast.And, ast.Or, ast.Not, ast.USub, ast.UAdd,
    ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod,
    ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn, ast.Is, ast.IsNot,
)

_MAX_SOURCE_LENGTH = 2000


def check(source: str, mode: str = "eval") -> ast.AST:
    """Parse and validate `source`; raise `UnsafeExpression` saying what is refused. mode: 'eval' or 'exec'."""
    if len(source) > _MAX_SOURCE_LENGTH:
        raise UnsafeExpression(f"longer than {_MAX_SOURCE_LENGTH} characters")
    try:
        tree = ast.parse(source.strip(), mode=mode)
    except SyntaxError as exc:
        raise UnsafeExpression(f"not a valid expression: {exc.msg} (line {exc.lineno})") from None
    for node in ast.walk(tree):
        _check_node(node)
    return tree


def _check_node(node: ast.AST) -> None:
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        raise UnsafeExpression("imports are not allowed")
    if isinstance(node, (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        raise UnsafeExpression("defining functions or classes is not allowed")
    if not isinstance(node, _ALLOWED_NODES):
        raise UnsafeExpression(f"'{type(node).__name__}' is not allowed in pathway expressions")
    if isinstance(node, ast.Name) and node.id.startswith("_"):
        raise UnsafeExpression(f"the name '{node.id}' is not allowed (names may not start with '_')")
    if isinstance(node, ast.Attribute):
        if node.attr.startswith("_"):
            raise UnsafeExpression(f"the attribute '{node.attr}' is not allowed (dunder/private access)")
        if node.attr not in SAFE_METHODS:
            raise UnsafeExpression(
                f"the attribute '{node.attr}' is not allowed; allowed methods: {', '.join(sorted(SAFE_METHODS))}"
            )
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name):
            if func.id not in SAFE_FUNCTIONS:
                raise UnsafeExpression(
                    f"calling '{func.id}' is not allowed; allowed functions: {', '.join(sorted(SAFE_FUNCTIONS))}"
                )
        elif not isinstance(func, ast.Attribute):
            raise UnsafeExpression("only named functions and allowed methods may be called")
    if isinstance(node, (ast.Assign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if not isinstance(target, ast.Name):
                raise UnsafeExpression("scripts may only assign to plain variable names")
            if target.id in SAFE_FUNCTIONS or target.id in SAFE_CONSTANTS:
                raise UnsafeExpression(f"'{target.id}' is a reserved name")
    if isinstance(node, (ast.BinOp, ast.AugAssign)) and isinstance(node.op, (ast.Mult, ast.Mod)):
        _check_bounded(node)


def _check_bounded(node: ast.BinOp | ast.AugAssign) -> None:
    """What lint can see cannot be bounded: repetition of a literal text or list, `%` formatting of a literal
    text, and factors or divisors larger than MAX_FACTOR. The rest is bounded when it runs (`_Bounded`)."""
    left = node.left if isinstance(node, ast.BinOp) else node.target
    sides = (left, node.value if isinstance(node, ast.AugAssign) else node.right)
    if isinstance(node.op, ast.Mult):
        for side in sides:
            if isinstance(side, (ast.List, ast.Tuple)) or (isinstance(side, ast.Constant) and isinstance(side.value, str)):
                raise UnsafeExpression("repeating text or lists with '*' is not allowed")
    elif isinstance(left, ast.Constant) and isinstance(left.value, str):
        raise UnsafeExpression("formatting text with '%' is not allowed")
    for side in sides:
        if isinstance(side, ast.Constant) and isinstance(side.value, int | float) and abs(side.value) > MAX_FACTOR:
            raise UnsafeExpression(f"a factor or divisor larger than {MAX_FACTOR} cannot be bounded")


#: The largest number lint lets a pathway expression multiply by.
MAX_FACTOR = 100_000
#: The largest text or list an expression may make, and the largest whole number (in bits) it may compute.
MAX_VALUE_LENGTH = 100_000
MAX_INT_BITS = 4096


class ValueTooLarge(UnsafeExpression):
    """An expression would make a value larger than the budget: refused before it is made."""


def _size(value: Any) -> int:
    return len(value) if isinstance(value, str | list | tuple | dict | set) else 0


def _bounded_result(result: Any) -> Any:
    if isinstance(result, int) and not isinstance(result, bool) and result.bit_length() > MAX_INT_BITS:
        raise ValueTooLarge(f"a number larger than {MAX_INT_BITS} bits")
    if _size(result) > MAX_VALUE_LENGTH:
        raise ValueTooLarge(f"a text or list longer than {MAX_VALUE_LENGTH}")
    return result


def _mul(a: Any, b: Any) -> Any:
    """`a * b` with the size of the result checked before it is made."""
    for seq, count in ((a, b), (b, a)):
        if _size(seq) and isinstance(count, int) and _size(seq) * max(count, 0) > MAX_VALUE_LENGTH:
            raise ValueTooLarge(f"a text or list longer than {MAX_VALUE_LENGTH}")
    if isinstance(a, int) and isinstance(b, int) and a.bit_length() + b.bit_length() > MAX_INT_BITS + 1:
        raise ValueTooLarge(f"a number larger than {MAX_INT_BITS} bits")
    return a * b


def _mod(a: Any, b: Any) -> Any:
    if isinstance(a, str | bytes):
        raise UnsafeExpression("formatting text with '%' is not allowed")
    return a % b


def _add(a: Any, b: Any) -> Any:
    if _size(a) + _size(b) > MAX_VALUE_LENGTH:
        raise ValueTooLarge(f"a text or list longer than {MAX_VALUE_LENGTH}")
    return _bounded_result(a + b)


_GUARDS = {ast.Mult: "_mul", ast.Mod: "_mod", ast.Add: "_add"}
_GUARD_FUNCTIONS = {"_mul": _mul, "_mod": _mod, "_add": _add}


class _Bounded(ast.NodeTransformer):
    """Rewrites `*`, `%` and `+` (also in `x *= y`) into calls that check the result's size before making it.
    With no loops, comprehensions or function definitions allowed, a checked expression then runs in time and
    memory bounded by its length."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        guard = _GUARDS.get(type(node.op))
        if guard is None:
            return node
        return ast.copy_location(ast.Call(ast.Name(guard, ast.Load()), [node.left, node.right], []), node)

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        self.generic_visit(node)
        guard = _GUARDS.get(type(node.op))
        if guard is None:
            return node
        value = ast.Call(ast.Name(guard, ast.Load()), [ast.Name(node.target.id, ast.Load()), node.value], [])
        return ast.copy_location(ast.Assign([ast.Name(node.target.id, ast.Store())], value), node)


@lru_cache(maxsize=2048)
def _compiled(source: str, mode: str):
    tree = ast.fix_missing_locations(_Bounded().visit(check(source, mode)))
    return compile(tree, "<pathway expression>", mode)


def _globals(context: dict[str, Any]) -> dict[str, Any]:
    scope: dict[str, Any] = {"__builtins__": {}}
    scope.update(SAFE_CONSTANTS)
    scope.update(SAFE_FUNCTIONS)
    scope.update(context)
    scope.update(_GUARD_FUNCTIONS)  # after the data: a task's data cannot replace a guard
    return scope


def evaluate(source: str, context: dict[str, Any]) -> Any:
    return eval(_compiled(source, "eval"), _globals(context))  # noqa: S307 - validated by check()


def execute(source: str, context: dict[str, Any]) -> None:
    """Run a checked script; assignments land in `context` (task data)."""
    scope = _globals(copy.copy(context))
    exec(_compiled(source, "exec"), scope)  # noqa: S102 - validated by check()
    for key, value in scope.items():
        if key == "__builtins__" or key in SAFE_FUNCTIONS or key in SAFE_CONSTANTS or key in _GUARD_FUNCTIONS:
            continue
        context[key] = value


class SafeEnvironment(BasePythonScriptEngineEnvironment):
    def evaluate(self, expression, context, external_context=None):
        return evaluate(expression, {**(external_context or {}), **context})

    def execute(self, script, context, external_context=None):
        execute(script, context)
        return True

    def call_service(self, context, **kwargs):
        raise UnsafeExpression("service tasks are not supported in pathway files")


class SafeScriptEngine(PythonScriptEngine):
    """SpiffWorkflow script engine that only runs allow-listed expressions."""

    def __init__(self) -> None:
        super().__init__(environment=SafeEnvironment())

    def validate(self, expression):
        check(expression, "exec")


@dataclass(frozen=True)
class ExpressionSite:
    """Where in a pathway file an expression stands, for lint messages."""

    element_id: str
    line: int | None
    kind: str
    source: str
    mode: str = "eval"


SAFE_SCRIPT_ENGINE = SafeScriptEngine()
