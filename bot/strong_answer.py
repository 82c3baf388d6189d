""" "See a strong answer": the rubric's strong exemplar for a question, beside what a 5 looks like on the clicking
member's weakest criterion in their own answer to it."""

from __future__ import annotations

from collections.abc import Sequence

from bot.identities import Member
from bot.progress_series import criterion_scores
from bot.replies import Button, Kind, Reply, Section, emphasis, line, say, strong, text
from bot.store.answers import AnswerStore
from bot.store.prompts import PromptStore
from content.loader import Bank
from content.schema import Exemplar, Question, Rubric

ACTION_PREFIX = "strong:"
MAX_PROMPT_ID_CHARS = 200
UNKNOWN_BUTTON = "That button is out of date or unknown, so there is nothing to show. Nothing was changed."


def strong_answer_button(prompt_id: str) -> Button:
    """The button under feedback; its neutral id names the prompt, so it works for whoever clicks it."""
    return Button("See a strong answer", f"{ACTION_PREFIX}{prompt_id}")


def strong_exemplar(bank: Bank, question: Question) -> Exemplar | None:
    """The strong exemplar written for this question, else one for another question of the same category."""
    rubric = bank.rubric_for(question)
    same_category = [rubric, *(r for r in bank.rubrics.values() if r.category == question.category and r is not rubric)]
    strong_ones = [e for r in same_category for e in r.exemplars if e.kind == "strong"]
    own = [e for e in strong_ones if e.question == question.id]
    chosen = own or strong_ones
    return chosen[0] if chosen else None


def weakest_criterion(rubric: Rubric, scores: Sequence[tuple[str, int]]) -> tuple[str, int] | None:
    """(criterion id, score) of the lowest-scored criterion of the rubric; the heavier one on a tie."""
    known = {c.id: c for c in rubric.criteria}
    scored = [(cid, score) for cid, score in scores if cid in known]
    if not scored:
        return None
    return min(scored, key=lambda pair: (pair[1], -known[pair[0]].weight))


class StrongAnswers:
    """Answers to the "See a strong answer" button."""

    def __init__(self, bank: Bank, prompts: PromptStore, answers: AnswerStore) -> None:
        self.bank = bank
        self.prompts = prompts
        self.answers = answers

    async def show(self, member: Member, action_id: str) -> Reply:
        """The exemplar and the member's weakest criterion at level 5, privately; a clear note (and nothing
        changed) for an unknown id, a question that is gone, or a member with no answer to it."""
        prompt_id = action_id.removeprefix(ACTION_PREFIX)
        if not action_id.startswith(ACTION_PREFIX) or not prompt_id or len(prompt_id) > MAX_PROMPT_ID_CHARS:
            return say(UNKNOWN_BUTTON)
        prompt = await self.prompts.get(member.workspace, prompt_id)
        question = self.bank.questions.get(prompt.question_id) if prompt is not None else None
        if prompt is None or question is None:
            return say(UNKNOWN_BUTTON)
        draft = await self.answers.draft(member.workspace, prompt.id, member.user_id)
        (stored,) = await self.answers.latest_feedback(member, [prompt.id]) if draft.messages else [None]
        if stored is None:
            return say(
                "You have no answer to this question yet, so there is no feedback to compare. "
                "Answer it in the question's thread first; then this button shows a strong answer beside your "
                "weakest criterion."
            )
        return self.reply(question, criterion_scores(stored))

    def reply(self, question: Question, scores: Sequence[tuple[str, int]]) -> Reply:
        """The exemplar, why it is strong, and what a 5 looks like on the weakest criterion."""
        rubric = self.bank.rubric_for(question)
        exemplar = strong_exemplar(self.bank, question)
        sections = [Section("The question", (text(question.text),))]
        if exemplar is None:
            sections.append(Section("A strong answer", (text("There is no written strong answer for this yet."),)))
        else:
            other = "" if exemplar.question == question.id else " (to a similar question in the same category)"
            sections.append(
                Section(
                    f"A strong answer{other}",
                    (text(exemplar.text), text(line(emphasis("Why it is strong:"), " ", exemplar.why))),
                )
            )
        weakest = weakest_criterion(rubric, scores)
        if weakest is not None:
            criterion = rubric.criterion(weakest[0])
            sections.append(
                Section(
                    f"Your weakest criterion: {criterion.name} · {weakest[1]}/5",
                    (text(line(strong("What a 5 looks like:"), " ", criterion.levels.five)),),
                )
            )
        headline = f"A strong answer to {question.id}, to compare with yours."
        return Reply(
            headline,
            title="See a strong answer",
            body=(text(headline, kind=Kind.NOTE),),
            sections=tuple(sections),
        )
