"""Answers scored per second and per-answer latency (p50, p99) for 40-, 350- and 1,500-word answers, against
a baseline measured in the same run that does not change with the engine: counting the same text's words
(lower-case, split, tally), which is what "word count" scoring costs.

    python -m bench.scoring [--seconds 1.0] [--rounds 5]

Answers are built from the bank's exemplars (strong and weak, every category) and scored against a bank
question of their category, so every part of the engine runs: reading, the rubric's signals, the question's
focus and the learned score.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter
from collections.abc import Callable
from itertools import cycle

from bot.scoring.engine import FeedbackEngine
from content.loader import Bank, load_bank


def answers_of(bank: Bank, words: int) -> list[tuple[str, str]]:
    """One (question id, answer of about `words` words) per category, from that category's exemplars."""
    out = []
    for category in bank.categories:
        pool = [w for e in bank.rubric_for_category(category).exemplars for w in e.text.split()]
        text: list[str] = []
        while len(text) < words:
            text.extend(pool[: words - len(text)])
        out.append((bank.in_category(category)[0].id, " ".join(text)))
    return out


def answer_of(bank: Bank, words: int) -> str:
    """One answer of about `words` words (the first category's), for the benchmarks that need one text."""
    return answers_of(bank, words)[0][1]


def timed(fn: Callable[[], object], seconds: float) -> list[float]:
    """Per-call latencies of `fn` (seconds), run repeatedly for about `seconds`."""
    fn()
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        fn()
        latencies.append(time.perf_counter() - start)
    return latencies


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of `values` fall."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    """Print engine and baseline throughput, their ratio, and the engine's p50 and p99 per answer length."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=1.0, help="time per measurement")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds; medians are reported")
    args = parser.parse_args()
    bank = load_bank()
    engine = FeedbackEngine(bank)
    print(f"{'words':>6} {'engine/s':>9} {'baseline/s':>11} {'ratio':>7} {'p50 ms':>7} {'p99 ms':>7}")
    for words in (40, 350, 1500):
        answers = answers_of(bank, words)
        engine_rates, base_rates, latencies = [], [], []
        next_answer = cycle(answers).__next__

        def score(next_answer: Callable[[], tuple[str, str]] = next_answer) -> object:
            question, text = next_answer()
            return engine.score(text, question_id=question)

        def count_words(next_answer: Callable[[], tuple[str, str]] = next_answer) -> object:
            return Counter(next_answer()[1].lower().split())

        for _ in range(args.rounds):  # alternate so machine noise hits both alike
            run = timed(score, args.seconds)
            latencies += run
            engine_rates.append(len(run) / sum(run))
            base = timed(count_words, args.seconds)
            base_rates.append(len(base) / sum(base))
        engine_rate, base_rate = statistics.median(engine_rates), statistics.median(base_rates)
        print(
            f"{words:>6} {engine_rate:>9.0f} {base_rate:>11.0f} {engine_rate / base_rate:>7.3f}"
            f" {percentile(latencies, 0.5) * 1000:>7.2f} {percentile(latencies, 0.99) * 1000:>7.2f}"
        )


if __name__ == "__main__":
    main()
