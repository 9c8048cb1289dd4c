"""The arithmetic of cost sharing: each party's amount in whole yuan, the parts adding up to the
rounded whole exactly (largest remainder). Decimal throughout; a float never touches money."""

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

YUAN = Decimal("1")


def to_yuan(amount: Decimal) -> Decimal:
    return Decimal(amount).quantize(YUAN, rounding=ROUND_HALF_UP)


def largest_remainder(exact: list[Decimal], whole: Decimal | None = None) -> list[Decimal]:
    """Round each exact part down to the yuan, then give the yuan still missing from the rounded
    whole to the parts with the largest remainders (ties: the earlier party). Pass `whole` when
    the parts came from a division: their sum may miss a half yuan in the 28th digit (x.4999…)."""
    whole = to_yuan(sum(exact, Decimal("0")) if whole is None else whole)
    floors = [x.quantize(YUAN, rounding=ROUND_DOWN) for x in exact]
    missing = int(whole - sum(floors, Decimal("0")))
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:missing]:
        floors[i] += 1
    return floors


def split(total: Decimal, ratios: list[Decimal]) -> list[Decimal]:
    """Share `total` between parties by `ratios` (8:2, 1:1:1)."""
    ratios = [Decimal(r) for r in ratios]
    if not ratios or any(r <= 0 for r in ratios):
        raise ValueError("every share must be positive")
    s = sum(ratios)
    return largest_remainder([Decimal(total) * r / s for r in ratios], whole=Decimal(total))


def match(anchor: Decimal, ratios: list[Decimal]) -> list[Decimal]:
    """Matching: the first party pays `anchor`, each other party ratio_i / ratio_0 times as much
    (1:2.5 on 40,000 → 40,000 and 100,000)."""
    ratios = [Decimal(r) for r in ratios]
    if not ratios or any(r <= 0 for r in ratios):
        raise ValueError("every share must be positive")
    return largest_remainder([Decimal(anchor) * r / ratios[0] for r in ratios])


def parts(mode: str, base: Decimal, ratios: list[Decimal]) -> list[Decimal]:
    return match(base, ratios) if mode == "match" else split(base, ratios)
