"""A small PromQL tokenizer, to place findings and syntax errors inside an expression.

promql-parser returns no position with its errors or its syntax tree. Token
boundaries let the lint find where an expression stops being valid PromQL, and
the nth occurrence of a name or operator gives a node's position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import promql_parser

_TOKEN = re.compile(
    r"""
    (?P<space>\s+|\#[^\n]*)
  | (?P<string>"(?:\\.|[^"\\])*"?|'(?:\\.|[^'\\])*'?|`[^`]*`?)
  | (?P<number>\.?[0-9][0-9a-zA-Z.]*)
  | (?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)
  | (?P<operator>==|!=|>=|<=|=~|!~|[-+*/%^<>=!,@(){}\[\]])
  | (?P<other>.)
    """,
    re.VERBOSE,
)
_CLOSERS = {"(": ")", "{": "}", "[": "]"}

# Text appended to a prefix to test whether some expression starts with it.
_FILLERS = ("", " x", " x[5m]", " (x)", ' "x"', "[5m]", " 5m", ' x="x"', '="x"', " 1")
_TAILS = ("", " (x)")
_QUOTED = re.compile(r"'([^']+)'")


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int


def tokenize(expr: str) -> list[Token]:
    """Split an expression into tokens, without whitespace and comments."""
    tokens = []
    for match in _TOKEN.finditer(expr):
        kind = match.lastgroup or "other"
        if kind != "space":
            tokens.append(Token(kind, match.group(), match.start()))
    return tokens


def nth_position(tokens: list[Token], text: str, index: int) -> int | None:
    """Return the offset of the index-th token (from 0) that reads `text`."""
    found = [token.start for token in tokens if token.text == text]
    return found[index] if index < len(found) else None


def error_offset(expr: str, message: str) -> int:
    """Return the offset in expr where the parser's error `message` lies."""
    tokens = tokenize(expr)
    if message.startswith("unclosed left parenthesis"):
        unclosed = _unclosed_opener(tokens)
        if unclosed is not None:
            return unclosed
    offset = _first_invalid_token(expr, tokens)
    quoted = _QUOTED.search(message)
    if quoted:
        earlier = expr.rfind(quoted.group(1), 0, offset + len(quoted.group(1)))
        offset = earlier if earlier >= 0 else offset
    return offset


def _unclosed_opener(tokens: list[Token]) -> int | None:
    stack: list[Token] = []
    for token in tokens:
        if token.text in _CLOSERS:
            stack.append(token)
        elif stack and token.text == _CLOSERS[stack[-1].text]:
            stack.pop()
    return stack[-1].start if stack else None


def _first_invalid_token(expr: str, tokens: list[Token]) -> int:
    """Return the start of the first token after which no valid expression can follow."""
    for index, token in enumerate(tokens):
        end = token.start + len(token.text)
        if not _viable(expr[:end], tokens[: index + 1]):
            return token.start
    return len(expr.rstrip())


def _viable(prefix: str, tokens: list[Token]) -> bool:
    closers = _closers(tokens)
    # A selector closed inside rate( may need a range after its brace.
    endings = {closers, closers.replace("}", "}[5m]", 1)}
    for filler in _FILLERS:
        for ending in endings:
            for tail in _TAILS:
                if _parses(prefix + filler + ending + tail):
                    return True
    return False


def _parses(expr: str) -> bool:
    try:
        promql_parser.parse(expr)
    except (ValueError, RuntimeError):
        return False
    return True


def _closers(tokens: list[Token]) -> str:
    stack: list[str] = []
    for token in tokens:
        if token.text in _CLOSERS:
            stack.append(_CLOSERS[token.text])
        elif stack and token.text == stack[-1]:
            stack.pop()
    return "".join(reversed(stack))
