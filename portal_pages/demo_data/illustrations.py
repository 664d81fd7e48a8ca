"""Illustrations for the demo articles, drawn with Pillow shapes (nothing is downloaded).

Each scene takes a ``PIL.ImageDraw.Draw`` and the image size, as ``home.demo._png`` expects.
"""

SKY = "#d8f0ff"
GRASS = "#b7e4a8"
SUN = "#ffd166"
RED = "#ef476f"
BLUE = "#118ab2"
ORANGE = "#f78c6b"
GREEN = "#06a77d"
BROWN = "#8d6e63"
SKIN = "#f6d5b8"


def _person(draw, x, ground, height, colour):
    """A simple figure standing on ``ground``: round head, rounded body."""
    head = height * 0.28
    draw.ellipse((x - head / 2, ground - height, x + head / 2, ground - height + head), fill=SKIN)
    draw.rounded_rectangle(
        (x - head * 0.6, ground - height + head * 1.05, x + head * 0.6, ground),
        radius=head * 0.3,
        fill=colour,
    )


def jidokan(draw, size):
    """児童館の遊戯室: a room with windows, a climbing frame and children playing."""
    w, h = size
    draw.rectangle((0, 0, w, h * 0.62), fill="#fff4e0")
    draw.rectangle((0, h * 0.62, w, h), fill="#e8c39e")
    for i in range(3):
        x = w * (0.08 + i * 0.3)
        draw.rectangle((x, h * 0.1, x + w * 0.22, h * 0.4), fill=SKY, outline=BROWN, width=8)
        draw.line((x + w * 0.11, h * 0.1, x + w * 0.11, h * 0.4), fill=BROWN, width=6)
    for j in range(4):
        y = h * (0.42 + j * 0.08)
        draw.line((w * 0.62, y, w * 0.9, y), fill=BLUE, width=10)
    for x in (w * 0.62, w * 0.76, w * 0.9):
        draw.line((x, h * 0.42, x, h * 0.86), fill=BLUE, width=10)
    _person(draw, w * 0.2, h * 0.88, h * 0.34, RED)
    _person(draw, w * 0.34, h * 0.9, h * 0.26, ORANGE)
    _person(draw, w * 0.5, h * 0.86, h * 0.3, GREEN)
    draw.ellipse((w * 0.4, h * 0.8, w * 0.46, h * 0.89), fill=SUN)


def park(draw, size):
    """ひなた中央公園: a curving path among trees, with a stroller on it."""
    w, h = size
    draw.rectangle((0, 0, w, h * 0.5), fill=SKY)
    draw.rectangle((0, h * 0.5, w, h), fill=GRASS)
    draw.ellipse((w * 0.78, h * 0.06, w * 0.92, h * 0.27), fill=SUN)
    draw.polygon([(w * 0.45, h * 0.5), (w * 0.55, h * 0.5), (w * 0.8, h), (w * 0.2, h)], fill="#f1e3c6")
    for x, top in ((0.08, 0.18), (0.25, 0.26), (0.7, 0.2), (0.88, 0.3)):
        draw.rectangle((w * x - 10, h * 0.45, w * x + 10, h * 0.62), fill=BROWN)
        draw.ellipse((w * x - 70, h * top, w * x + 70, h * 0.5), fill=GREEN)
    draw.rounded_rectangle((w * 0.44, h * 0.64, w * 0.58, h * 0.76), radius=18, fill=BLUE)
    draw.line((w * 0.58, h * 0.66, w * 0.63, h * 0.58), fill="#333333", width=6)
    for x in (w * 0.47, w * 0.55):
        draw.ellipse((x - 14, h * 0.76, x + 14, h * 0.8 + 14), fill="#333333")
    _person(draw, w * 0.67, h * 0.86, h * 0.32, RED)


def papa(draw, size):
    """パパと子ども: a tall figure lifting a small one, under bunting."""
    w, h = size
    draw.rectangle((0, 0, w, h), fill="#fff8ec")
    draw.rectangle((0, h * 0.78, w, h), fill="#c8e6c9")
    colours = (RED, SUN, BLUE, GREEN, ORANGE)
    for i in range(10):
        x = w * (0.05 + i * 0.09)
        draw.polygon([(x, h * 0.06), (x + w * 0.08, h * 0.06), (x + w * 0.04, h * 0.16)], fill=colours[i % 5])
    _person(draw, w * 0.56, h * 0.4, h * 0.24, SUN)
    _person(draw, w * 0.42, h * 0.86, h * 0.5, BLUE)
    draw.line((w * 0.46, h * 0.56, w * 0.53, h * 0.34), fill=SKIN, width=14)
    draw.line((w * 0.38, h * 0.56, w * 0.33, h * 0.42), fill=SKIN, width=14)
    _person(draw, w * 0.72, h * 0.88, h * 0.3, ORANGE)


def weaning_food(draw, size):
    """離乳食: a bowl of rice porridge, a spoon, a carrot and a pumpkin on a table."""
    w, h = size
    draw.rectangle((0, 0, w, h), fill="#fdf3e7")
    draw.rectangle((0, h * 0.55, w, h), fill="#e0b98b")
    draw.chord(
        (w * 0.25, h * 0.28, w * 0.6, h * 0.82), start=0, end=180, fill="#ffffff", outline=BLUE, width=8
    )
    draw.ellipse((w * 0.28, h * 0.46, w * 0.57, h * 0.62), fill="#fffaf0", outline="#eadfcf", width=4)
    draw.rounded_rectangle((w * 0.63, h * 0.5, w * 0.66, h * 0.84), radius=8, fill="#c0c0c0")
    draw.ellipse((w * 0.61, h * 0.42, w * 0.68, h * 0.54), fill="#c0c0c0")
    draw.polygon([(w * 0.74, h * 0.6), (w * 0.82, h * 0.6), (w * 0.78, h * 0.9)], fill=ORANGE)
    draw.polygon([(w * 0.76, h * 0.6), (w * 0.78, h * 0.52), (w * 0.8, h * 0.6)], fill=GREEN)
    draw.ellipse((w * 0.06, h * 0.6, w * 0.2, h * 0.82), fill="#f4a259")
    draw.rectangle((w * 0.125, h * 0.56, w * 0.14, h * 0.62), fill=GREEN)


# key → (image title in the town's collection, scene)
ILLUSTRATIONS = {
    "jidokan": ("南ひなた児童館の遊戯室（イラスト）", jidokan),
    "park": ("ひなた中央公園の散歩道（イラスト）", park),
    "papa": ("パパと子どもの土曜ひろば（イラスト）", papa),
    "weaning": ("離乳食のおかゆと野菜（イラスト）", weaning_food),
}
