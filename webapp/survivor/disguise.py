"""The decoy apps, their working content, and how an unlock code is recognised."""

from __future__ import annotations

import ast
import base64
import hmac
import operator
import re
import secrets
from dataclasses import dataclass
from decimal import Decimal, localcontext

from flask_babel import lazy_gettext as _l

from webapp.crypto import derive_key
from webapp.settings import UNLOCK_CODE_PATTERN


@dataclass(frozen=True)
class Theme:
    """Everything a person sees of a decoy: name, colour and icons."""

    key: str
    name: object
    short_name: object
    theme_color: str
    background_color: str

    def icon(self, size: int) -> str:
        return f"icons/{self.key}-{size}.png"


THEMES = {
    "recipes": Theme("recipes", _l("Pantry: easy recipes"), _l("Pantry"), "#9a3412", "#fff7ed"),
    "calculator": Theme("calculator", _l("Calculator"), _l("Calculator"), "#1f2937", "#111827"),
}


@dataclass(frozen=True)
class Recipe:
    slug: str
    title: object
    minutes: int
    serves: int
    ingredients: tuple
    steps: tuple


RECIPES = (
    Recipe(
        "lentil-soup",
        _l("Red lentil soup"),
        35,
        4,
        (
            _l("1 cup red lentils"),
            _l("1 onion, chopped"),
            _l("2 carrots, diced"),
            _l("1 teaspoon cumin"),
            _l("5 cups water or stock"),
        ),
        (
            _l("Soften the onion and carrots in a little oil."),
            _l("Add the lentils, cumin and water, then simmer for 25 minutes."),
            _l("Blend half of the soup, stir it back in and season with salt and lemon."),
        ),
    ),
    Recipe(
        "banana-bread",
        _l("Banana bread"),
        70,
        8,
        (
            _l("3 ripe bananas"),
            _l("2 cups flour"),
            _l("1/2 cup sugar"),
            _l("2 eggs"),
            _l("1 teaspoon baking soda"),
        ),
        (
            _l("Mash the bananas and beat in the eggs and sugar."),
            _l("Fold in the flour and baking soda."),
            _l("Bake in a loaf tin at 175 °C for about an hour."),
        ),
    ),
    Recipe(
        "fried-rice",
        _l("Vegetable fried rice"),
        20,
        2,
        (
            _l("2 cups cooked rice, cold"),
            _l("1 cup frozen peas and carrots"),
            _l("2 eggs"),
            _l("2 tablespoons soy sauce"),
        ),
        (
            _l("Scramble the eggs in a hot pan and set them aside."),
            _l("Fry the vegetables, add the rice and stir until hot."),
            _l("Return the eggs, add the soy sauce and serve."),
        ),
    ),
    Recipe(
        "tomato-pasta",
        _l("Tomato and basil pasta"),
        25,
        4,
        (
            _l("400 g pasta"),
            _l("1 can chopped tomatoes"),
            _l("2 cloves garlic"),
            _l("A handful of basil leaves"),
        ),
        (
            _l("Cook the pasta in salted water."),
            _l("Warm the garlic in olive oil, add the tomatoes and simmer for 10 minutes."),
            _l("Toss the pasta with the sauce and tear the basil over it."),
        ),
    ),
)


def find_recipe(slug: str) -> Recipe | None:
    return next((recipe for recipe in RECIPES if recipe.slug == slug), None)


def search_recipes(query: str) -> list[Recipe]:
    """Recipes whose title or ingredients mention every word typed, in the current language."""
    words = query.casefold().split()
    found = []
    for recipe in RECIPES:
        text = " ".join(str(part) for part in (recipe.title, *recipe.ingredients)).casefold()
        if all(word in text for word in words):
            found.append(recipe)
    return found


class CalculationError(ValueError):
    """The expression is not arithmetic the calculator can do."""


OPERATORS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
# "50%" is a percentage, as on a phone's calculator: a number followed by % is divided by 100.
PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%")
MAX_EXPRESSION = 64
# Numbers shown digit by digit; beyond these, in scientific notation as calculators do.
SHOWN_PLAIN = (Decimal("1e-9"), Decimal("1e16"))


def calculate(expression: str) -> str:
    """Evaluate + - × ÷ % and brackets on decimals, the way a pocket calculator would."""
    text = expression.replace("×", "*").replace("÷", "/").replace("−", "-").replace(",", ".")
    text = PERCENT.sub(r"(\1/100)", text)
    if not text.strip() or len(text) > MAX_EXPRESSION:
        raise CalculationError(expression)
    try:
        tree = ast.parse(text.strip(), mode="eval")
        with localcontext() as context:
            context.prec = 16
            return _format(_evaluate(tree.body))
    except (SyntaxError, RecursionError, ArithmeticError) as exc:
        # ArithmeticError: division by zero, overflow, a result too large to show.
        raise CalculationError(expression) from exc


def _evaluate(node: ast.AST) -> Decimal:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return Decimal(str(node.value))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _evaluate(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
        return OPERATORS[type(node.op)](_evaluate(node.left), _evaluate(node.right))
    raise CalculationError(ast.dump(node))


def _format(value: Decimal) -> str:
    """As a pocket calculator shows it: plain up to 16 digits, else like 8.1e+31."""
    if not value.is_finite():
        raise CalculationError(str(value))
    if value and not SHOWN_PLAIN[0] <= abs(value) < SHOWN_PLAIN[1]:
        return format(value.normalize(), ".10g").replace("E", "e")
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return format(value.normalize(), "f")


def is_code_shaped(text: str) -> bool:
    return bool(UNLOCK_CODE_PATTERN.match(text.strip()))


def device_code_token(secret_key: str, code: str) -> str:
    """What a device keeps of its own code: a salted tag that only this server can check."""
    salt = secrets.token_urlsafe(9)
    return f"{salt}.{_tag(secret_key, salt, code)}"


def _tag(secret_key: str, salt: str, code: str) -> str:
    key = derive_key(secret_key, "haven device unlock code")
    digest = hmac.new(key, f"{salt}:{code}".encode(), "sha256").digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def code_unlocks(typed: str, *, default_code: str, device_token: str, secret_key: str) -> bool:
    """A device with its own code opens only with that code; others with the deployment's."""
    typed = typed.strip()
    if not is_code_shaped(typed):
        return False
    salt, _, tag = device_token.partition(".")
    if salt and tag:
        return hmac.compare_digest(_tag(secret_key, salt, typed), tag)
    return hmac.compare_digest(typed, default_code)
