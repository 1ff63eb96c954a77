"""Draw the decoys' icons (run once after changing a look; the PNGs are committed)."""

from pathlib import Path

from PIL import Image, ImageDraw

ICONS = Path(__file__).resolve().parent / "src" / "static" / "icons"


def recipes(size: int) -> Image.Image:
    image = Image.new("RGB", (size, size), "#9a3412")
    draw = ImageDraw.Draw(image)
    s = size / 100
    draw.pieslice([22 * s, 22 * s, 78 * s, 78 * s], 0, 180, fill="#fff7ed")
    draw.rectangle([18 * s, 48 * s, 82 * s, 52 * s], fill="#fff7ed")
    for x in (38, 50, 62):
        draw.line([x * s, 26 * s, (x + 3) * s, 40 * s], fill="#fed7aa", width=max(2, int(3 * s)))
    return image


def calculator(size: int) -> Image.Image:
    image = Image.new("RGB", (size, size), "#1f2937")
    draw = ImageDraw.Draw(image)
    s = size / 100
    draw.rounded_rectangle([26 * s, 20 * s, 74 * s, 80 * s], radius=5 * s, fill="#111827")
    draw.rectangle([31 * s, 25 * s, 69 * s, 36 * s], fill="#d1fae5")
    for row in range(3):
        for col in range(3):
            x, y = 31 + col * 13.5, 41 + row * 13
            colour = "#f59e0b" if (row, col) == (2, 2) else "#6b7280"
            draw.rectangle([x * s, y * s, (x + 11) * s, (y + 10) * s], fill=colour)
    return image


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    for name, draw in (("recipes", recipes), ("calculator", calculator)):
        for size in (192, 512):
            draw(size).save(ICONS / f"{name}-{size}.png", optimize=True)


if __name__ == "__main__":
    main()
