"""Peer review: members score each other's answers on the question's rubric; authors see peers beside the rubric."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import mean

from bot.answers import answer_text
from bot.chat_port import Button, Reply, Section
from bot.coach import Coach
from bot.identities import Channel, Member
from bot.prompts import DailyPrompt
from bot.review.store import ReviewStore, StoredReview
from content.schema import Question

MIN_COMMENT_CHARS = 20
MAX_COMMENT_CHARS = 2000
REVIEW_POINTS = 5
HELPFUL_POINTS = 5
LOOKBACK_DAYS = 7
ANSWER_PREVIEW_CHARS = 2800


@dataclass(frozen=True)
class AnswerRef:
    """One member's answer to one prompt, as a neutral id usable in button ids: `prompt|author`."""

    prompt_id: str
    author_id: str

    @property
    def id(self) -> str:
        """The neutral id."""
        return f"{self.prompt_id}|{self.author_id}"

    @classmethod
    def parse(cls, value: str) -> AnswerRef | None:
        """From the neutral id; None when it is malformed."""
        prompt_id, sep, author = value.rpartition("|")
        return cls(prompt_id, author) if sep and prompt_id and author else None


@dataclass(frozen=True)
class ReviewTask:
    """An answer to review, with what the reviewer needs to judge it."""

    answer: AnswerRef
    prompt: DailyPrompt
    question: Question
    text: str
    criteria: tuple[tuple[str, str, str], ...]  # id, name, what a 5 looks like


class ReviewRejected(ValueError):
    """A review that cannot be saved; `errors` maps a field (criterion id or "comment") to a message."""

    def __init__(self, message: str, errors: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.errors = dict(errors or {})


@dataclass(frozen=True)
class Comparison:
    """Peers against the rubric on one criterion."""

    criterion_id: str
    name: str
    peer_mean: float | None
    rubric: int
    difference: float | None


@dataclass(frozen=True)
class AnswerReviews:
    """What peers made of one answer."""

    count: int
    comparisons: tuple[Comparison, ...]
    reviews: tuple[StoredReview, ...]


class PeerReviews:
    """Assigning answers to review, taking reviews, marking them helpful, and comparing with the rubric."""

    def __init__(self, coach: Coach, store: ReviewStore, clock: Callable[[], datetime]) -> None:
        self.coach = coach
        self.bank = coach.bank
        self.store = store
        self.clock = clock

    async def next_for(self, member: Member, channel: Channel) -> ReviewTask | str:
        """The answer this member should review next: never their own or one they reviewed; today's
        least-reviewed first, then recent days'. A message when there is none."""
        settings = await self.coach.channel_settings(channel)
        if settings is None:
            return "This channel has no daily question yet, so there is nothing to review."
        today = self.coach.local_date(settings)
        prompts = await self.coach.store.prompts_between(
            channel, (today - timedelta(days=LOOKBACK_DAYS)).toordinal(), today.toordinal()
        )
        for prompt in sorted(prompts, key=lambda p: p.local_date, reverse=True):
            answered = await self.coach.store.answered(prompt.workspace, prompt.id)
            authors = [a for a in answered if a != member.user_id]
            counts = await self.store.counts(prompt.workspace, prompt.id, authors, member.user_id)
            open_ = [(n, author) for author, (n, mine) in zip(authors, counts) if not mine]
            if open_:
                _, author = min(open_)
                return await self.task(member, AnswerRef(prompt.id, author))
        return "There is no answer for you to review right now: you have reviewed every answer from the last week."

    async def task(self, member: Member, answer: AnswerRef) -> ReviewTask:
        """A specific answer to review (raises ReviewRejected for your own, unknown ones, or ones you reviewed)."""
        if answer.author_id == member.user_id:
            raise ReviewRejected("You cannot review your own answer.")
        prompt = await self.coach.store.prompt(member.workspace, answer.prompt_id)
        draft = (
            await self.coach.store.answer_draft(member.workspace, answer.prompt_id, answer.author_id)
            if prompt is not None
            else None
        )
        if prompt is None or draft is None or not draft.messages:
            raise ReviewRejected("That answer no longer exists.")
        existing = await self.store.counts(member.workspace, prompt.id, [answer.author_id], member.user_id)
        if existing and existing[0][1]:
            raise ReviewRejected("You already reviewed that answer; one review per answer.")
        question = self.bank.question(prompt.question_id)
        rubric = self.bank.rubric_for(question)
        return ReviewTask(
            answer=answer,
            prompt=prompt,
            question=question,
            text=answer_text(draft.messages)[:ANSWER_PREVIEW_CHARS],
            criteria=tuple((c.id, c.name, c.levels.five) for c in rubric.criteria),
        )

    async def submit(self, member: Member, answer: AnswerRef, scores: Mapping[str, object], comment: str) -> AnswerReviews:
        """Validate and store a review; ReviewRejected names every bad field and nothing is saved."""
        task = await self.task(member, answer)
        errors: dict[str, str] = {}
        parsed: dict[str, int] = {}
        for criterion_id, name, _ in task.criteria:
            raw = str(scores.get(criterion_id, "")).strip()
            if not raw.isdigit() or not 1 <= int(raw) <= 5:
                errors[criterion_id] = f"Score {name} from 1 to 5."
            else:
                parsed[criterion_id] = int(raw)
        comment = comment.strip()
        if len(comment) < MIN_COMMENT_CHARS:
            errors["comment"] = f"Say why in at least {MIN_COMMENT_CHARS} characters (you wrote {len(comment)})."
        elif len(comment) > MAX_COMMENT_CHARS:
            errors["comment"] = f"Keep the comment under {MAX_COMMENT_CHARS} characters."
        if errors:
            raise ReviewRejected("The review was not saved: " + " ".join(errors.values()), errors)
        review = {
            "reviewer_id": member.user_id,
            "reviewer_name": member.display_name,
            "scores": parsed,
            "comment": comment,
            "at": self.clock().isoformat(),
            "helpful": False,
        }
        if not await self.store.add(member.workspace, answer.prompt_id, answer.author_id, review, REVIEW_POINTS):
            raise ReviewRejected("You already reviewed that answer; one review per answer.")
        await self.coach.store.remember_name(member)  # for the reviewers' board
        return await self.summary(member.workspace, answer)

    async def mark_helpful(self, member: Member, answer: AnswerRef, reviewer_id: str) -> str:
        """The author marks a review helpful (once); the reviewer earns extra points."""
        if member.user_id != answer.author_id:
            return "Only the answer's author can mark its reviews helpful."
        outcome = await self.store.mark_helpful(
            member.workspace, answer.prompt_id, answer.author_id, reviewer_id, HELPFUL_POINTS
        )
        return {
            "marked": "Marked helpful. Thanks: the reviewer earns extra points.",
            "already": "You already marked this review helpful.",
        }.get(outcome, "That review no longer exists.")

    async def summary(self, workspace: str, answer: AnswerRef) -> AnswerReviews:
        """Per criterion: the peers' mean, the rubric's score, and the difference."""
        reviews = await self.store.reviews(workspace, answer.prompt_id, answer.author_id)
        feedback = await self.coach.current_feedback(Member(workspace, answer.author_id), answer.prompt_id)
        comparisons = []
        for criterion in feedback.criteria if feedback else ():
            peer = [r.scores[criterion.id] for r in reviews if criterion.id in r.scores]
            peer_mean = round(mean(peer), 1) if peer else None
            difference = round(peer_mean - criterion.score, 1) if peer_mean is not None else None
            comparisons.append(Comparison(criterion.id, criterion.name, peer_mean, criterion.score, difference))
        return AnswerReviews(len(reviews), tuple(comparisons), tuple(reviews))

    async def posted_review(
        self, reviewer: Member, answer: AnswerRef, summary: AnswerReviews
    ) -> tuple[DailyPrompt, Reply, str] | None:
        """What to post for a new review: its prompt (for the thread), the reply (named or anonymous as the
        channel is set) and the id of the answer's first message; None when the prompt or answer is gone."""
        store = self.coach.store
        prompt = await store.prompt(reviewer.workspace, answer.prompt_id)
        draft = await store.answer_draft(reviewer.workspace, answer.prompt_id, answer.author_id)
        if prompt is None or prompt.thread is None or not draft.messages:
            return None
        settings = await self.coach.channel_settings(prompt.channel)
        review = next(r for r in summary.reviews if r.reviewer_id == reviewer.user_id)
        author = await store.name_of(reviewer.workspace, answer.author_id)
        reply = self.review_reply(
            answer, review, summary, anonymous=bool(settings and settings.anonymous_reviews), author_name=author
        )
        return prompt, reply, draft.messages[0][0]

    def review_reply(self, answer: AnswerRef, review: StoredReview, summary: AnswerReviews, *, anonymous: bool,
                     author_name: str) -> Reply:
        """The review as posted in the answer's thread, with peers beside the rubric and a helpful button."""
        who = "A peer" if anonymous else (review.reviewer_name or "A peer")
        lines = [
            f"{c.name}: this review {review.scores.get(c.criterion_id, '-')} · peers {c.peer_mean if c.peer_mean is not None else '-'}"
            f" · rubric {c.rubric}" + (f" ({c.difference:+.1f})" if c.difference is not None else "")
            for c in summary.comparisons
        ]
        return Reply(
            f"Peer review {summary.count} of this answer (peers vs rubric below).",
            sections=(
                Section(f"{who} reviewed {author_name}'s answer", review.comment, from_members=True),
                Section("Scores", "\n".join(lines)),
            ),
            buttons=(Button("Helpful", f"helpful:{answer.id}|{review.reviewer_id}"),),
            private=False,
        )

    def assignments(self, answered: list[str]) -> dict[str, list[str]]:
        """At window close: each member who answered reviews up to two others' answers (a ring, never their own)."""
        ring = sorted(answered)
        if len(ring) < 2:
            return {}
        return {
            author: [ring[(i + step) % len(ring)] for step in (1, 2) if (i + step) % len(ring) != i][: min(2, len(ring) - 1)]
            for i, author in enumerate(ring)
        }

    def assignment_reply(self, prompt: DailyPrompt, targets: list[str]) -> Reply:
        """The private nudge sent at window close with a button per answer to review."""
        return Reply(
            f"Today's question has closed. Review {len(targets)} answer{'s' if len(targets) != 1 else ''} "
            "from your channel on the same rubric; reviewers earn points.",
            buttons=tuple(
                Button(f"Review answer {i}", f"review:{AnswerRef(prompt.id, author).id}")
                for i, author in enumerate(targets, start=1)
            ),
        )
