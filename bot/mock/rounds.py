"""Mock interview rounds: questions in a row, one targeted probe when a criterion is missing, and a
scorecard in debrief language at the end of each round and of the loop."""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from bot.answers import SOMETHING_WENT_WRONG
from bot.clock import Clock
from bot.coach.coach import ModelCoach
from bot.errors import StoreUnavailable
from bot.identities import Member, personal
from bot.mock.scorecard import Scorecard, scorecard
from bot.mock.session import MockAnswer, MockSession
from bot.mock.store import MockStore, SessionChanged
from bot.replies import Block, Command, Inline, Reply, Section, code, line, plain_line, plain_text, say, strong
from bot.replies import text as paragraph
from bot.scoring.engine import FeedbackEngine
from bot.scoring.feedback import Feedback
from bot.scoring.feedback_reply import clock
from bot.scoring.text import SPEAKING_GUIDELINE_SECONDS
from bot.store.events import EventStore
from content.loader import Bank
from content.schema import Question

LOOP = "loop"
DEFAULT_ROUND = "hiring_manager"
TYPED_NAMES = {
    "recruiter_screen": "recruiter",
    "hiring_manager": "behavioral",
    "technical_deep_dive": "technical",
    "cross_functional": "xfn",
    "leadership_panel": "leadership",
}
ALIASES = {
    "behavioral": "hiring_manager",
    "behavioural": "hiring_manager",
    "hm": "hiring_manager",
    "recruiter": "recruiter_screen",
    "screen": "recruiter_screen",
    "technical": "technical_deep_dive",
    "tech": "technical_deep_dive",
    "xfn": "cross_functional",
    "cross-functional": "cross_functional",
    "leadership": "leadership_panel",
    "panel": "leadership_panel",
    "design": "system_design",
    "system-design": "system_design",
    "data": "metrics",
}
RECENT = timedelta(days=30)
MAX_ANSWER_CHARS = 40_000
SAVE_RETRIES = 5
# An answer sharing this share of its words with one given to another question is the same answer again.
REPEAT_OVERLAP = 0.8
REPEAT_MIN_WORDS = 20
REPEATED_ANSWER_CAP = 2.0
# With model feedback, a criterion the model scores at or below this is a gap worth one probe.
MODEL_PROBE_BELOW = 2
REPEATED_ANSWER = "Giving the same answer to a different question: answer the question that was asked"
log = logging.getLogger(__name__)


class MockStatus(StrEnum):
    """What the interviewer's turn is."""

    QUESTION = "question"
    PROBE = "probe"
    FINISHED = "finished"
    NEEDS_CHOICE = "needs_choice"
    NO_SESSION = "no_session"
    UNKNOWN_ROUND = "unknown_round"
    STOPPED = "stopped"
    REJECTED = "rejected"


@dataclass(frozen=True)
class MockTurn:
    """What the interviewer says next."""

    status: MockStatus
    reply: Reply
    scorecards: tuple[Scorecard, ...] = ()

    @property
    def text(self) -> str:
        """The turn as plain text."""
        return plain_text(self.reply)


def _turn(status: MockStatus, *blocks: Block, cards: tuple[Scorecard, ...] = ()) -> MockTurn:
    """A turn of the given blocks, scorecards last."""
    summary = plain_line(blocks[0].lines[0]) if blocks and blocks[0].lines else (cards[0].title if cards else "")
    sections = tuple(card.section() for card in cards)
    return MockTurn(status, Reply(summary, body=blocks, sections=sections), cards)


def _say(status: MockStatus, *parts: Inline) -> MockTurn:
    return _turn(status, paragraph(line(*parts)))


class MockInterviews:
    """Runs members' mock interviews; state lives in Redis, so any replica can continue a session."""

    def __init__(
        self,
        bank: Bank,
        engine: FeedbackEngine,
        store: MockStore,
        events: EventStore,
        clock: Clock,
        coach: ModelCoach | None = None,
    ) -> None:
        self.coach = coach
        self.bank = bank
        self.engine = engine
        self.store = store
        self.events = events
        self.clock = clock

    async def answer_message(
        self, member: Member, text: str, *, event_id: str | None = None, venue: str | None = None
    ) -> Reply | None:
        """A member's message where their mock runs (a DM, or their private thread): the interviewer's next turn.
        None when there is nothing to say: a retried event, or someone else's message in a mock thread."""
        try:
            if venue is not None and await self.session_venue(member) != venue:
                return None
            if event_id is not None and not await self.events.claim(personal(member).workspace, event_id):
                return None
            return (await self.answer(member, text, venue=venue)).reply
        except StoreUnavailable as exc:
            return say(f"{exc} Your answer was not saved; send it again in a minute.")
        except Exception:
            log.exception("mock answer from %s failed", member.user_id)
            return say(SOMETHING_WENT_WRONG)

    def round_names(self) -> list[str]:
        """What `mock` accepts: every round id, and `loop`."""
        return [*self.bank.rounds, LOOP]

    def typed_names(self) -> list[str]:
        """The round names members type, as `/debrief help` lists them: the first short name of each round."""
        return [TYPED_NAMES.get(round_id, round_id) for round_id in self.bank.rounds] + [LOOP]

    async def start(self, member: Member, name: str, *, if_open: str = "ask") -> MockTurn:
        """Start a round (or the loop); with a session open, ask first unless told to resume or abandon."""
        workspace = member.workspace  # where it was started: whose coach setting applies
        member = personal(member)
        name = name.strip().lower() or DEFAULT_ROUND
        name = ALIASES.get(name, name)
        if name not in self.round_names():
            return _say(
                MockStatus.UNKNOWN_ROUND,
                "Unknown round ",
                code(name[:40]),
                f". Choose one of: {', '.join(self.typed_names())}.",
            )
        current = await self.store.session(member)
        if current is not None:
            if if_open == "resume":
                return _turn(MockStatus.QUESTION, paragraph("Picking up where you left off."), self._ask(current))
            if if_open != "abandon":
                return _say(
                    MockStatus.NEEDS_CHOICE,
                    f"You have a mock in progress ({current.kind}, question {current.question_index + 1}). "
                    "Resume it, or abandon it and start the new one?",
                )
            await self.store.delete(member)
        rounds = [r.id for r in self.bank.loop_rounds()] if name == LOOP else [name]
        now = self.clock()
        session_id = hashlib.sha256(f"{member.workspace}/{member.user_id}/{now.isoformat()}".encode()).hexdigest()[:16]
        questions = await self._pick(member, rounds[0], session_id)
        session = MockSession(
            id=session_id,
            kind=name,
            rounds=rounds,
            questions=questions,
            asked_at=now,
            started_at=now,
            workspace=workspace,
        )
        await self.store.save(member, session, expected_version=None)
        await self.store.mark_seen(member, questions, now)
        intro = self._round_intro(session)
        return _turn(MockStatus.QUESTION, intro, self._ask(session))

    async def bind(self, member: Member, venue: str) -> None:
        """Pin the open session to a place (a private thread): messages elsewhere will not count."""
        member = personal(member)
        for _ in range(SAVE_RETRIES):
            session = await self.store.session(member)
            if session is None:
                return
            try:
                updated = session.model_copy(update={"venue": venue, "version": session.version + 1})
                await self.store.save(member, updated, expected_version=session.version)
                return
            except SessionChanged:
                continue

    async def session_venue(self, member: Member) -> str | bool | None:
        """False without an open session; otherwise its venue (None for a DM)."""
        member = personal(member)
        session = await self.store.session(member)
        return False if session is None else session.venue

    async def answer(self, member: Member, text: str, venue: str | None = None) -> MockTurn:
        """Take the member's answer (or follow-up), then probe, move on, or close the round with a scorecard."""
        member = personal(member)
        if not text.strip():
            return _say(MockStatus.REJECTED, "That message is empty; answer the question as you would out loud.")
        if len(text) > MAX_ANSWER_CHARS:
            return _say(
                MockStatus.REJECTED,
                f"That is {len(text):,} characters; keep answers under {MAX_ANSWER_CHARS:,}. Nothing was saved.",
            )
        for _ in range(SAVE_RETRIES):
            session = await self.store.session(member)
            if session is None:
                return _say(
                    MockStatus.NO_SESSION,
                    "No mock interview is open. Start one with ",
                    Command("mock", ("behavioral",)),
                    " (or ",
                    Command("mock", ("loop",)),
                    ").",
                )
            if session.venue is not None and venue != session.venue:
                return _say(MockStatus.NO_SESSION, "Your mock interview runs in its own thread; answer there.")
            try:
                return await self._take(member, session, text)
            except SessionChanged:
                continue
        return _say(MockStatus.REJECTED, "Your mock changed while this answer was saved; please send it again.")

    async def skip(self, member: Member) -> MockTurn:
        """Move past the current question (it counts as unanswered in the scorecard)."""
        member = personal(member)
        session = await self.store.session(member)
        if session is None:
            return _say(MockStatus.NO_SESSION, "No mock interview is open.")
        skipped = MockAnswer(
            round=session.round, question_id=session.question_id, skipped=True, seconds=self._elapsed(session)
        )
        return await self._advance(member, session, session.pending or skipped)

    async def repeat(self, member: Member) -> MockTurn:
        """Say the current question (or probe) again."""
        member = personal(member)
        session = await self.store.session(member)
        if session is None:
            return _say(MockStatus.NO_SESSION, "No mock interview is open.")
        return _turn(MockStatus.PROBE if session.probe else MockStatus.QUESTION, self._ask(session))

    async def stop(self, member: Member) -> MockTurn:
        """Abandon the open mock."""
        member = personal(member)
        session = await self.store.session(member)
        if session is None:
            return _say(MockStatus.NO_SESSION, "No mock interview is open.")
        await self.store.delete(member)
        return _say(MockStatus.STOPPED, "Mock abandoned. Start a new one whenever you like.")

    # interviewer behaviour ------------------------------------------------------------------------

    async def _take(self, member: Member, session: MockSession, text: str) -> MockTurn:
        question = self.bank.question(session.question_id)
        seconds = self._elapsed(session)
        if session.probe is not None and session.pending is not None:
            combined = f"{session.pending.text}\n\n{text}"
            feedback = await self._judged(session.workspace or member.workspace, question, combined)
            answered = self._record(session.pending, feedback, seconds=session.pending.seconds + seconds)
            answered = answered.model_copy(update={"follow_up": text})
            return await self._advance(member, session, answered)
        feedback = await self._judged(session.workspace or member.workspace, question, text)
        answered = self._record(
            MockAnswer(round=session.round, question_id=question.id, text=text), feedback, seconds=seconds
        )
        if _repeats_an_earlier_answer(session, question.id, text):
            answered = answered.model_copy(
                update={
                    "overall": min(answered.overall or 1.0, REPEATED_ANSWER_CAP),
                    "off_question": True,
                    "anti_patterns": [REPEATED_ANSWER, *answered.anti_patterns],
                }
            )
        probe = self._probe(question, feedback, text)
        if probe is not None:
            updated = session.model_copy(
                update={
                    "probe": probe,
                    "pending": answered.model_copy(update={"probe": probe}),
                    "asked_at": self.clock(),
                    "version": session.version + 1,
                }
            )
            await self.store.save(member, updated, expected_version=session.version)
            return _turn(MockStatus.PROBE, _timing(answered), paragraph(f"Follow-up: {probe}"))
        return await self._advance(member, session, answered)

    async def _judged(self, workspace: str, question: Question, text: str) -> Feedback:
        """The engine's feedback, or the workspace's model's under the engine's guard when it chose the model."""
        feedback = self.engine.score(text, question_id=question.id)
        if self.coach is None or not await self.coach.enabled(workspace):
            return feedback
        rubric = self.bank.rubric_for(question)
        judged = await self.coach.judge(workspace, question.text, rubric, text, feedback)
        return judged.feedback or feedback

    def _probe(self, question: Question, feedback: Feedback, text: str) -> str | None:
        """The one follow-up where the answer left a gap: on the weakest criterion (the model's own question when it
        judged the answer), or None when no criterion is weak enough to probe."""
        if feedback.coach is None:
            missing = [c.id for c in feedback.criteria if c.score == 1]
            return self.engine.open_follow_up(question, missing, text)
        weakest = min((c.score for c in feedback.criteria), default=5)
        if weakest > MODEL_PROBE_BELOW:
            return None
        return feedback.follow_up or self.engine.open_follow_up(
            question, [c.id for c in feedback.criteria if c.score == weakest], text
        )

    def _record(self, base: MockAnswer, feedback: Feedback, *, seconds: int) -> MockAnswer:
        rubric = self.bank.rubric_for(self.bank.question(base.question_id))
        return base.model_copy(
            update={
                "seconds": seconds,
                "speaking_seconds": feedback.speaking_seconds,
                "overall": feedback.overall,
                "criteria": {c.name: c.score for c in feedback.criteria},
                "to_reach_five": {c.name: c.levels.five for c in rubric.criteria},
                "anti_patterns": [f"{a.name}: {a.better}" for a in feedback.anti_patterns],
                "off_question": feedback.off_question is not None,
                "quotes": {c.name: c.evidence[0] for c in feedback.criteria if feedback.coach and c.evidence},
                "reasons": {c.name: c.reason for c in feedback.criteria if feedback.coach and c.reason},
            }
        )

    async def _advance(self, member: Member, session: MockSession, answered: MockAnswer) -> MockTurn:
        answers = [*session.answers, answered]
        now = self.clock()
        if session.question_index + 1 < len(session.questions):
            updated = session.model_copy(
                update={
                    "answers": answers,
                    "question_index": session.question_index + 1,
                    "probe": None,
                    "pending": None,
                    "asked_at": now,
                    "version": session.version + 1,
                }
            )
            await self.store.save(member, updated, expected_version=session.version)
            prefix = () if answered.skipped else (_timing(answered),)
            return _turn(MockStatus.QUESTION, *prefix, self._ask(updated))
        round_card = await self._round_scorecard(
            member, session.round, [a for a in answers if a.round == session.round]
        )
        scores = {**session.round_scores, session.round: round_card.overall}
        if session.round_index + 1 < len(session.rounds):
            next_round = session.rounds[session.round_index + 1]
            questions = await self._pick(member, next_round, session.id)
            updated = session.model_copy(
                update={
                    "answers": answers,
                    "round_index": session.round_index + 1,
                    "questions": questions,
                    "question_index": 0,
                    "probe": None,
                    "pending": None,
                    "asked_at": now,
                    "round_scores": scores,
                    "version": session.version + 1,
                }
            )
            await self.store.save(member, updated, expected_version=session.version)
            await self.store.mark_seen(member, questions, now)
            onwards = Section(None, (self._round_intro(updated), self._ask(updated)))
            reply = Reply(round_card.title, sections=(round_card.section(), onwards))
            return MockTurn(MockStatus.QUESTION, reply, (round_card,))
        await self.store.delete(member)
        cards = [round_card]
        if len(session.rounds) > 1:
            cards.append(self._loop_scorecard(answers, scores))
        return _turn(MockStatus.FINISHED, cards=tuple(cards))

    async def _round_scorecard(self, member: Member, round_id: str, answers: list[MockAnswer]) -> Scorecard:
        card = scorecard(self.bank.rounds[round_id].name + " round", answers)
        previous = await self.store.previous_score(member, round_id)
        await self.store.record_score(member, round_id, card.overall)
        return card.with_change(previous)

    def _loop_scorecard(self, answers: list[MockAnswer], scores: dict[str, float]) -> Scorecard:
        card = scorecard("Full loop", answers)
        weakest = min(scores, key=lambda r: scores[r])
        reasons = (*card.reasons, f"Weakest round: {self.bank.rounds[weakest].name} ({scores[weakest]:.1f}).")
        return Scorecard(card.title, card.overall, card.verdict, card.criteria, reasons, card.fix_first, None, ())

    # questions ------------------------------------------------------------------------------------

    async def _pick(self, member: Member, round_id: str, seed: str) -> list[str]:
        """2-3 questions of the round, preferring ones the member has not been asked recently."""
        pool = [q.id for q in self.bank.in_round(round_id)]
        seen = await self.store.seen(member)
        cutoff = (self.clock() - RECENT).timestamp()
        count = 2 if self.bank.rounds[round_id].minutes <= 30 else 3

        def order(question_id: str) -> tuple[int, float, str]:
            when = seen.get(question_id)
            recent = when is not None and when >= cutoff
            return (int(recent), when or 0.0, hashlib.sha256(f"{seed}:{question_id}".encode()).hexdigest())

        return sorted(pool, key=order)[:count]

    def _round_intro(self, session: MockSession) -> Block:
        round_ = self.bank.rounds[session.round]
        position = f" (round {session.round_index + 1} of {len(session.rounds)})" if len(session.rounds) > 1 else ""
        return paragraph(
            line(
                strong(round_.name),
                f"{position}: {len(session.questions)} questions. {round_.description} "
                "Answer each as you would out loud; aim for 2.5 minutes.",
            )
        )

    def _ask(self, session: MockSession) -> Block:
        if session.probe:
            return paragraph(f"Follow-up: {session.probe}")
        question = self.bank.question(session.question_id)
        return paragraph(
            line(
                f"Question {session.question_index + 1} of {len(session.questions)} (",
                code(question.id),
                f"): {question.text}",
            )
        )

    def _elapsed(self, session: MockSession) -> int:
        return max(0, int((self.clock() - session.asked_at).total_seconds()))


def _timing(answer: MockAnswer) -> Block:
    return paragraph(
        f"Noted. You took {clock(answer.seconds)}; that answer is about {clock(answer.speaking_seconds)} "
        f"spoken (guideline {clock(SPEAKING_GUIDELINE_SECONDS)})."
    )


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9']+", text.lower()))


def _repeats_an_earlier_answer(session: MockSession, question_id: str, text: str) -> bool:
    """Whether this answer is (nearly) one already given to another question of the session."""
    mine = _words(text)
    if len(mine) < REPEAT_MIN_WORDS:
        return False
    for earlier in session.answers:
        if earlier.question_id == question_id or earlier.skipped:
            continue
        theirs = _words(earlier.text)
        if theirs and len(mine & theirs) / len(mine | theirs) >= REPEAT_OVERLAP:
            return True
    return False
