"""Peer review: members score each other's answers on the question's rubric; authors see peers beside the rubric."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from statistics import mean

from bot.answers import Answers, answer_text
from bot.channels import Channels
from bot.clock import Clock
from bot.identities import Channel, Member, ThreadRef
from bot.prompts import DailyPrompt
from bot.replies import Button, Refusal, Reply, Section, code, say, text
from bot.review.store import ReviewStore, StoredReview
from bot.store.answers import AnswerStore
from bot.store.prompts import PromptStore
from bot.store.standings import StandingsStore
from content.loader import Bank
from content.schema import Question

MIN_COMMENT_CHARS = 20
MAX_COMMENT_CHARS = 2000
REVIEW_POINTS = 5
HELPFUL_POINTS = 5
LOOKBACK_DAYS = 7
ANSWER_PREVIEW_CHARS = 2800
SCORES = ("1", "2", "3", "4", "5")


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


@dataclass(frozen=True)
class ReviewPosted:
    """A saved review: what to post as a reply to the answer in its thread, and what to tell the reviewer."""

    thread: ThreadRef
    answer_message_id: str
    reply: Reply
    confirmation: Reply


class PeerReviews:
    """Assigning answers to review, taking reviews, marking them helpful, and comparing with the rubric."""

    def __init__(
        self,
        bank: Bank,
        answers: Answers,
        answer_store: AnswerStore,
        prompts: PromptStore,
        standings: StandingsStore,
        channels: Channels,
        store: ReviewStore,
        clock: Clock,
    ) -> None:
        self.bank = bank
        self.answers = answers
        self.answer_store = answer_store
        self.prompts = prompts
        self.standings = standings
        self.channels = channels
        self.store = store
        self.clock = clock

    # what adapters call -----------------------------------------------------------------------------

    async def open(
        self, member: Member, *, channel: Channel | None = None, answer_id: str | None = None
    ) -> ReviewTask | Refusal:
        """The answer a member asked to review (a button's answer id), or the next one in the channel."""
        try:
            if answer_id is not None:
                answer = AnswerRef.parse(answer_id)
                if answer is None:
                    raise ReviewRejected("That answer no longer exists.")
                return await self.task(member, answer)
            if channel is None:
                raise ReviewRejected("Use the review command in the channel of the question.")
            return await self.next_for(member, channel)
        except ReviewRejected as exc:
            return Refusal(say(str(exc)))

    def task_reply(self, task: ReviewTask) -> Reply:
        """The answer to review as a message, with a button that opens the form."""
        return Reply(
            f"Review this answer to {task.question.id} on the same rubric.",
            body=(text(("Review this answer to ", code(task.question.id), " on the same rubric.")),),
            sections=(
                Section("Question", (text(task.question.text),)),
                Section("The answer", (text(task.text),)),
                Section("Judged on", (text(" · ".join(name for _, name, _ in task.criteria)),)),
            ),
            buttons=(Button("Write your review", f"review-form:{task.answer.id}|{task.question.id}", primary=True),),
        )

    async def submit_form(
        self, member: Member, answer_id: str, scores: Mapping[str, object], comment: str
    ) -> ReviewPosted | Refusal:
        """A submitted review form: saved and ready to post, or refused with every bad field named."""
        answer = AnswerRef.parse(answer_id)
        if answer is None:
            return Refusal(
                say("This form is out of date; open a new one."),
                {"comment": "This form is out of date; open a new one."},
            )
        try:
            summary = await self.submit(member, answer, scores, comment)
        except ReviewRejected as exc:
            return Refusal(say(str(exc)), exc.errors)
        posted = await self.posted_review(member, answer, summary)
        if posted is None:
            return Refusal(say("The review was saved, but the answer's thread is gone, so it was not posted."))
        return posted

    async def helpful(self, member: Member, action_id: str) -> Reply:
        """The author's "Helpful" button (`helpful:{answer}|{reviewer}`)."""
        ref, _, reviewer = action_id.removeprefix("helpful:").rpartition("|")
        answer = AnswerRef.parse(ref)
        if answer is None or not reviewer:
            return say("Unknown review.")
        return say(await self.mark_helpful(member, answer, reviewer))

    # rules -------------------------------------------------------------------------------------------

    async def next_for(self, member: Member, channel: Channel) -> ReviewTask:
        """The answer this member should review next: never their own or one they reviewed; today's
        least-reviewed first, then recent days'. ReviewRejected says why there is none."""
        settings = await self.channels.settings(channel)
        if settings is None:
            raise ReviewRejected("This channel has no daily question yet, so there is nothing to review.")
        today = self.clock().astimezone(settings.zone).date()
        prompts = await self.prompts.between(
            channel, (today - timedelta(days=LOOKBACK_DAYS)).toordinal(), today.toordinal()
        )
        for prompt in sorted(prompts, key=lambda p: p.local_date, reverse=True):
            answered = await self.answer_store.answered(prompt.workspace, prompt.id)
            authors = [a for a in answered if a != member.user_id]
            counts = await self.store.counts(prompt.workspace, prompt.id, authors, member.user_id)
            open_ = [(n, author) for author, (n, mine) in zip(authors, counts, strict=True) if not mine]
            if open_:
                _, author = min(open_)
                return await self.task(member, AnswerRef(prompt.id, author))
        raise ReviewRejected(
            "There is no answer for you to review right now: you have reviewed every answer from the last week."
        )

    async def task(self, member: Member, answer: AnswerRef) -> ReviewTask:
        """A specific answer to review (raises ReviewRejected for your own, unknown ones, or ones you reviewed)."""
        if answer.author_id == member.user_id:
            raise ReviewRejected("You cannot review your own answer.")
        prompt = await self.prompts.get(member.workspace, answer.prompt_id)
        draft = (
            await self.answer_store.draft(member.workspace, answer.prompt_id, answer.author_id)
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

    async def submit(
        self, member: Member, answer: AnswerRef, scores: Mapping[str, object], comment: str
    ) -> AnswerReviews:
        """Validate and store a review; ReviewRejected names every bad field and nothing is saved."""
        task = await self.task(member, answer)
        errors: dict[str, str] = {}
        parsed: dict[str, int] = {}
        for criterion_id, name, _ in task.criteria:
            raw = str(scores.get(criterion_id, "")).strip()
            if raw not in SCORES:  # ASCII 1-5 only: "²", "⑤" or "٣" are not scores
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
        await self.standings.remember_name(member, keep_known=True)  # for the reviewers' board
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
        feedback = await self.answers.current_feedback(Member(workspace, answer.author_id), answer.prompt_id)
        comparisons = []
        for criterion in feedback.criteria if feedback else ():
            peer = [r.scores[criterion.id] for r in reviews if criterion.id in r.scores]
            peer_mean = round(mean(peer), 1) if peer else None
            difference = round(peer_mean - criterion.score, 1) if peer_mean is not None else None
            comparisons.append(Comparison(criterion.id, criterion.name, peer_mean, criterion.score, difference))
        return AnswerReviews(len(reviews), tuple(comparisons), tuple(reviews))

    async def posted_review(self, reviewer: Member, answer: AnswerRef, summary: AnswerReviews) -> ReviewPosted | None:
        """What to post for a new review (named or anonymous as the channel is set), as a reply to the answer's
        first message; None when the prompt or answer is gone."""
        prompt = await self.prompts.get(reviewer.workspace, answer.prompt_id)
        draft = await self.answer_store.draft(reviewer.workspace, answer.prompt_id, answer.author_id)
        if prompt is None or prompt.thread is None or not draft.messages:
            return None
        settings = await self.channels.settings(prompt.channel)
        review = next(r for r in summary.reviews if r.reviewer_id == reviewer.user_id)
        author = await self.standings.name_of(reviewer.workspace, answer.author_id)
        reply = self.review_reply(
            answer, review, summary, anonymous=bool(settings and settings.anonymous_reviews), author_name=author
        )
        return ReviewPosted(prompt.thread, draft.messages[0][0], reply, say("Review posted in the question's thread."))

    def review_reply(
        self, answer: AnswerRef, review: StoredReview, summary: AnswerReviews, *, anonymous: bool, author_name: str
    ) -> Reply:
        """The review as posted in the answer's thread, with peers beside the rubric and a helpful button."""
        who = "A peer" if anonymous else (review.reviewer_name or "A peer")
        lines = [
            f"{c.name}: this review {review.scores.get(c.criterion_id, '-')} · "
            f"peers {c.peer_mean if c.peer_mean is not None else '-'} · rubric {c.rubric}"
            + (f" ({c.difference:+.1f})" if c.difference is not None else "")
            for c in summary.comparisons
        ]
        headline = f"Peer review {summary.count} of this answer (peers vs rubric below)."
        return Reply(
            headline,
            body=(text(headline),),
            sections=(
                Section(f"{who} reviewed {author_name}'s answer", (text(review.comment),)),
                Section("Scores", (text(*lines),)),
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
            author: [ring[(i + step) % len(ring)] for step in (1, 2) if (i + step) % len(ring) != i][
                : min(2, len(ring) - 1)
            ]
            for i, author in enumerate(ring)
        }

    def nudges(self, prompt: DailyPrompt, answered: list[str]) -> list[tuple[Member, Reply]]:
        """The private review requests sent at window close, one per member who answered."""
        return [
            (Member(prompt.workspace, author), self.assignment_reply(prompt, targets))
            for author, targets in self.assignments(answered).items()
        ]

    def assignment_reply(self, prompt: DailyPrompt, targets: list[str]) -> Reply:
        """The private nudge sent at window close with a button per answer to review."""
        headline = (
            f"Today's question has closed. Review {len(targets)} answer{'s' if len(targets) != 1 else ''} "
            "from your channel on the same rubric; reviewers earn points."
        )
        return Reply(
            headline,
            body=(text(headline),),
            buttons=tuple(
                Button(f"Review answer {i}", f"review:{AnswerRef(prompt.id, author).id}")
                for i, author in enumerate(targets, start=1)
            ),
        )
