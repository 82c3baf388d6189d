"""Answers scored per second for 40-, 350- and 1,500-word answers, against a text-splitting baseline."""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from functools import partial

from bot.scoring.engine import FeedbackEngine
from bot.scoring.text import read_answer
from content.loader import Bank, load_bank
from content.schema import Category


def answer_of(bank: Bank, words: int) -> str:
    """A realistic answer of about `words` words, built from the bank's strong and weak exemplars."""
    pool: list[str] = []
    for category in Category:
        for exemplar in bank.rubric_for_category(category).exemplars:
            pool.extend(exemplar.text.split())
    out: list[str] = []
    while len(out) < words:
        out.extend(pool[: words - len(out)])
    return " ".join(out)


def rate(fn: Callable[[], object], seconds: float) -> float:
    """Calls per second of `fn`, run repeatedly for about `seconds`."""
    fn()
    calls, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(20):
            fn()
        calls += 20
    return calls / elapsed


def main() -> None:
    """Print engine and baseline throughput per answer length."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=1.0, help="time per measurement")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds; medians are reported")
    args = parser.parse_args()
    bank = load_bank()
    engine = FeedbackEngine(bank)
    question = bank.in_category(Category.BEHAVIORAL)[0].id
    print(f"{'words':>6} {'engine/s':>10} {'baseline/s':>11} {'ratio':>7} {'ms/answer':>10}")
    for words in (40, 350, 1500):
        text = answer_of(bank, words)
        engine_rates, base_rates = [], []
        for _ in range(args.rounds):  # alternate so machine noise hits both alike
            engine_rates.append(rate(partial(engine.score, text, question_id=question), args.seconds))
            base_rates.append(rate(partial(read_answer, text), args.seconds))
        engine_rate, base_rate = statistics.median(engine_rates), statistics.median(base_rates)
        print(
            f"{words:>6} {engine_rate:>10.0f} {base_rate:>11.0f} {engine_rate / base_rate:>7.3f} "
            f"{1000 / engine_rate:>10.2f}"
        )


if __name__ == "__main__":
    main()
