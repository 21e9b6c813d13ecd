"""The sandbox a project's templates render in: Jinja's immutable sandbox, where `*` and `**`
cannot make a text or a number bigger than MAX_PRODUCT either, and which answers an
attribute it already judged safe at once. templating.environment is its one user.
"""
from __future__ import annotations

import types

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

# The biggest text, list or number (in bits) that `*` or `**` may make in a template.
MAX_PRODUCT = 1_000_000

# What Jinja's sandbox wraps on access (str.format and str.format_map, so that a format string
# cannot reach attributes the sandbox refuses): only methods by these names.
_METHODS = (types.MethodType, types.BuiltinMethodType)
_FORMATS = ("format", "format_map")


class Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, where `*` and `**` cannot make a text or a number bigger
    than MAX_PRODUCT either (`'x' * 10**9` would take a gigabyte)."""

    intercepted_binops = frozenset({"*", "**"})
    # Jinja's verdict on an attribute depends only on the object's type and the name, and
    # asking it for every attribute read is a third of rendering 1000 stages.
    _verdicts: dict[tuple[type, str], bool] = {}

    def is_safe_attribute(self, obj: object, attr: str, value: object) -> bool:
        key = (type(obj), attr)
        safe = self._verdicts.get(key)
        if safe is None:
            safe = self._verdicts[key] = super().is_safe_attribute(obj, attr, value)
        return safe

    def getattr(self, obj: object, attribute: str) -> object:
        """Jinja's sandboxed getattr, with its answer for an attribute already judged safe
        given at once (templates read some four thousand attributes per render). Jinja
        wraps only a `format` or `format_map` method; every other value of a safe
        attribute it returns as it is, and so does this."""
        if self._verdicts.get((type(obj), attribute)):
            try:
                value = getattr(obj, attribute)
            except AttributeError:
                pass  # Jinja tries obj[attribute] next
            else:
                if not (isinstance(value, _METHODS) and value.__name__ in _FORMATS):
                    return value
        return super().getattr(obj, attribute)

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: object,
                   right: object) -> object:
        if _too_big(operator, left, right):
            raise SecurityError(f"'{operator}' would make more than {MAX_PRODUCT:,} characters "
                                "or bits here")
        return super().call_binop(context, operator, left, right)


def _too_big(operator: str, left: object, right: object) -> bool:
    if operator == "**":
        return isinstance(left, int) and isinstance(right, int) and right > 0 and \
            max(abs(left).bit_length(), 1) * right > MAX_PRODUCT
    for times, other in ((left, right), (right, left)):
        if isinstance(times, int) and isinstance(other, (str, list, tuple)):
            return len(other) * times > MAX_PRODUCT
    return False
