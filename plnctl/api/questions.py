"""Questions: ask, track and record questions, collect answers, and see which got answered."""

from __future__ import annotations

import builtins
import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from uuid import uuid4

from plnctl import questions as logic
from plnctl.answer_rules import match_person
from plnctl.api import question_edits as edits
from plnctl.api.sources import check_http_url, run
from plnctl.errors import Ambiguous, FetchError, InvalidInput, NotFound
from plnctl.identity import not_mine
from plnctl.models import Answer, Question, QuestionState
from plnctl.questions import AnswerDraft, CheckResult, Event, QuestionStats
from plnctl.store import questions as db
from plnctl.timeutil import now, now_iso

if TYPE_CHECKING:
    from plnctl.api import Pln
    from plnctl.api.question_checks import Found
    from plnctl.api.question_edits import Tracked

log = logging.getLogger(__name__)
VISIBILITIES = ("public", "unlisted")


class QuestionsService:
    def __init__(self, pln: Pln):
        self.pln = pln
        self.store = pln.store

    # --- reading ---------------------------------------------------------------------------

    def get(self, question_id: int | str) -> Question:
        """One question with its answers, oldest answer first."""
        question = db.get_question(self.store, _id(question_id))
        if question is None:
            raise NotFound(f"no question with id {question_id} (see: plnctl question list)")
        question = replace(
            question, notes=self.pln.notes.for_questions([question.id]).get(question.id, ())
        )
        return logic.with_answers(question, db.list_answers(self.store, question.id))

    def list(self, *, states: Sequence[QuestionState | str] = ()) -> list[Question]:
        """Newest first, with answer counts (without the answers themselves)."""
        return db.list_questions(self.store, states=[QuestionState(s) for s in states])

    def stats(self, *, older_than_days: int = 7) -> QuestionStats:
        """Answer rate, median time to first answer, top answerers, stale questions, and the
        people who answered but are not in the network (suggestions to follow)."""
        if older_than_days < 0:
            raise InvalidInput("--older-than must be zero or more days")
        answers: dict[int, list[Answer]] = {}
        for answer in not_mine(db.list_answers(self.store), self.pln.me):
            answers.setdefault(answer.question_id, []).append(answer)
        questions = [
            logic.with_answers(q, answers.get(q.id, [])) for q in db.list_questions(self.store)
        ]
        return logic.compute_stats(questions, now=now(), older_than_days=older_than_days)

    # --- recording questions ---------------------------------------------------------------

    def add(
        self, text: str, *, topics: Sequence[str] = (), asked_at: str | None = None
    ) -> Question:
        """Record a question asked offline (in a staffroom, at a conference)."""
        return self._insert(
            logic.question_text(text), kind="offline", topics=topics, asked_at=asked_at
        )

    def track(
        self,
        url: str,
        *,
        text: str | None = None,
        topics: Sequence[str] = (),
        comment_feed: str | None = None,
    ) -> Question:
        """Record a question already asked elsewhere (see ``track_or_update``)."""
        return self.track_or_update(
            url, text=text, topics=topics, comment_feed=comment_feed
        ).question

    def track_or_update(
        self,
        url: str,
        *,
        text: str | None = None,
        topics: Sequence[str] = (),
        comment_feed: str | None = None,
    ) -> Tracked:
        """Record a question already asked elsewhere: a Mastodon status URL (any instance) or a
        blog post URL. Its text and time are read from the status or page when possible; a
        blog post's comment feed is looked for now (and again at each check if none is found).
        A URL already tracked is updated with what is given (``--comments``, ``--text``,
        topics) instead; the outcome says ``tracked``, ``updated`` or ``unchanged``."""
        if not url.strip().startswith("at://"):
            url = check_http_url(url)
        if comment_feed is not None:
            comment_feed = check_http_url(comment_feed)
        if (existing := edits.existing_for(self, url)) is not None:
            return edits.retrack(self, existing, text, topics, comment_feed)
        from plnctl.api.question_checks import read_tracked

        kind, fields, info, url = read_tracked(self.pln, url, comment_feed)
        if (existing := edits.existing_for(self, url)) is not None:  # e.g. at:// given
            return edits.retrack(self, existing, text, topics, comment_feed)
        if not text and not info.get("text"):
            raise FetchError(
                f"could not read the question at {url}: {info.get('error') or 'no title'}; "
                "give its text with --text"
            )
        question = self._insert(
            logic.question_text(text or info["text"]),
            kind=kind,
            topics=topics,
            asked_at=info.get("asked_at"),
            url=url,
            **fields,
        )
        if info.get("error"):
            with self.store.transaction():
                db.update_question(self.store, question.id, check_error=info["error"])
        return edits.Tracked(self.get(question.id), "tracked")

    def edit(
        self,
        question: int | str,
        *,
        text: str | None = None,
        topics: Sequence[str] = (),
        remove_topics: Sequence[str] = (),
        comment_feed: str | None = None,
        remove_comment_feed: bool = False,
    ) -> Tracked:
        """Change a question's text, topics or a blog question's comment feed."""
        return edits.edit(
            self, _id(question), text=text, topics=topics, remove_topics=remove_topics,
            comment_feed=comment_feed, remove_comment_feed=remove_comment_feed,
        )  # fmt: skip

    def delete(self, question: int | str) -> Question:
        """Delete a question and its answers (its id is never reused)."""
        return edits.delete(self, _id(question))

    def remove_answer(self, answer_id: int) -> Answer:
        """Remove a wrong answer; a later check does not bring it back."""
        return edits.remove_answer(self, answer_id)

    def ask(
        self,
        text: str,
        *,
        topics: Sequence[str] = (),
        visibility: str = "public",
        on: str = "mastodon",
    ) -> Question:
        """Post the question from the logged-in Mastodon (or, ``on="bluesky"``, Bluesky)
        account and record it."""
        text = logic.question_text(text)
        if on == "bluesky":
            return self._ask_on_bluesky(text, topics=topics, visibility=visibility)
        if on != "mastodon":
            raise InvalidInput("--on must be mastodon or bluesky")
        if visibility not in VISIBILITIES:
            raise InvalidInput(f"--visibility must be one of {', '.join(VISIBILITIES)}")
        from plnctl import mastodon_auth

        login = mastodon_auth.require_login(self.pln.settings)
        status = mastodon_auth.post_status(login.instance, login.token, text, visibility)
        url = status.get("url")
        return self._insert(
            text,
            kind="mastodon",
            topics=topics,
            asked_at=logic.iso(status.get("created_at")),
            url=url,
            remote_id=str(status["id"]),
            instance=urlsplit(login.instance).netloc,
        )

    def _ask_on_bluesky(self, text: str, *, topics: Sequence[str], visibility: str) -> Question:
        """A Bluesky post (every post is public there), tracked as a Bluesky question: its
        replies are collected from the thread like those of a tracked bsky.app post."""
        if visibility != "public":
            raise InvalidInput("Bluesky posts are always public: leave out --visibility")
        posted = self.pln.bluesky.account.post(text, what="the question")
        return self._insert(
            text, kind="bluesky", topics=topics, asked_at=logic.iso(posted["created_at"]),
            url=posted["url"], remote_id=posted["uri"],
        )  # fmt: skip

    def _insert(
        self,
        text: str,
        *,
        kind: str,
        topics: Sequence[str],
        asked_at: str | None,
        **fields: Any,
    ) -> Question:
        with self.store.transaction():
            question_id = db.insert_question(
                self.store, text, kind=kind, asked_at=asked_at or now_iso(), **fields
            )
            db.add_question_topics(self.store, question_id, [t.strip() for t in topics if t])
        return self.get(question_id)

    # --- answers and states ----------------------------------------------------------------

    def answer(
        self,
        question: int | str,
        *,
        from_: str,
        text: str | None = None,
        url: str | None = None,
        answered_at: str | None = None,
    ) -> Answer:
        """Record an answer by hand. ``from_`` is a person in the network (id or name), a
        Mastodon handle, or any free-text name."""
        target = self.get(question)
        if url is not None:
            url = check_http_url(url)
        draft = replace(
            self._author(from_),
            answer_key=logic.answer_key("manual", url=url, fallback=uuid4().hex),
            text=(text or "").strip() or None,
            url=url,
            answered_at=answered_at or now_iso(),
        )
        with self.store.transaction():
            answer_id = self._store_answer(target.id, draft)
            if answer_id is None:
                raise InvalidInput(f"question {target.id} already has an answer at {url}")
            self._apply_answers(target)
        found = db.get_answer(self.store, answer_id)
        assert found is not None
        return found

    def _author(self, ref: str) -> AnswerDraft:
        ref = ref.strip()
        if not ref:
            raise InvalidInput("--from needs a person, a handle or a name")
        if logic.looks_like_handle(ref):
            handle = logic.normalize_handle(ref)
            name = (handle or "").split("@")[0]
            return AnswerDraft("", "manual", author_name=name, author_handle=handle)
        try:
            person = self.pln.people.resolve(ref)
        except NotFound:
            if ref.isdigit():
                raise
            return AnswerDraft("", "manual", author_name=ref)
        except Ambiguous:
            raise
        return AnswerDraft("", "manual", author_name=person.name, person_id=person.id)

    def resolve(self, question: int | str, *, answer: int | None = None) -> Question:
        """Mark a question resolved, accepting ``answer`` (by default its only answer, if it has
        exactly one)."""
        target = self.get(question)
        state = logic.next_state(target.state, Event.RESOLVE, answer_count=target.answer_count)
        if answer is not None and answer not in {a.id for a in target.answers}:
            raise NotFound(
                f"question {target.id} has no answer {answer} (see: plnctl question "
                f"show {target.id})"
            )
        if answer is None and target.answer_count == 1:
            answer = target.answers[0].id
        with self.store.transaction():
            db.update_question(
                self.store,
                target.id,
                state=state,
                resolved_answer_id=answer,
                resolved_at=now_iso(),
                closed_at=None,
            )
        return self.get(target.id)

    def close(self, question: int | str) -> Question:
        """Close a question: it is no longer checked for answers."""
        target = self.get(question)
        state = logic.next_state(target.state, Event.CLOSE, answer_count=target.answer_count)
        with self.store.transaction():
            db.update_question(
                self.store, target.id, state=state, closed_at=target.closed_at or now_iso()
            )
        return self.get(target.id)

    def reopen(self, question: int | str) -> Question:
        target = self.get(question)
        state = logic.next_state(target.state, Event.REOPEN, answer_count=target.answer_count)
        with self.store.transaction():
            db.update_question(
                self.store,
                target.id,
                state=state,
                closed_at=None,
                resolved_at=None,
                resolved_answer_id=None,
            )
        return self.get(target.id)

    def _apply_answers(self, question: Question) -> QuestionState:
        """Move open <-> answered after answers were stored (inside the caller's transaction)."""
        current = db.get_question(self.store, question.id)
        assert current is not None
        state = logic.next_state(
            current.state, Event.ANSWERS_CHANGED, answer_count=current.answer_count
        )
        if state is not current.state:
            db.update_question(self.store, question.id, state=state)
        return state

    def _store_answer(self, question_id: int, draft: AnswerDraft) -> int | None:
        person_id = draft.person_id
        if person_id is None and draft.author_handle:
            person_id = db.person_for_handle(self.store, draft.author_handle)
        if person_id is None and not draft.author_handle and draft.author_name:
            person_id = match_person(draft.author_name, db.people_names(self.store))
        return db.insert_answer(
            self.store,
            question_id,
            answer_key=draft.answer_key,
            author_name=draft.author_name,
            author_handle=draft.author_handle,
            author_url=draft.author_url,
            person_id=person_id,
            post_id=draft.post_id,
            text=draft.text,
            url=draft.url,
            answered_at=draft.answered_at,
            found_via=draft.found_via,
            kind=draft.kind,
        )

    # --- checking for answers --------------------------------------------------------------

    def check(self, question: int | str | None = None) -> builtins.list[CheckResult]:
        """Look for new answers: one result per question checked, failures included (never
        fails fast). Without ``question``: every question still open to answers; closed and
        deleted ones, and those older than ``questions.horizon_days``, are left alone."""
        moment = now()
        horizon = self.pln.settings.question_horizon_days
        if question is not None:
            target = self.get(question)
            reason = logic.skip_reason(target, now=moment, horizon_days=horizon)
            if reason:
                return [CheckResult(target.id, target.text, "skipped", target.state, reason=reason)]
            targets = [target]
        else:
            targets = [
                q
                for q in db.list_questions(self.store)
                if logic.skip_reason(q, now=moment, horizon_days=horizon) is None
            ]
        with self.store.transaction():
            db.relink_answers(self.store)  # credit answers to people followed since
            edits.credit_by_name(self)
        if not targets:
            return []
        from plnctl.api.question_checks import fetch_all

        found = run(fetch_all(self.pln, targets))
        return [self._record(q, f) for q, f in zip(targets, found, strict=True)]

    def _record(self, question: Question, found: Found) -> CheckResult:
        """Store what one question's check found, plus backlinks from synced posts."""
        stamp = now_iso()
        drafts, askers = edits.not_the_askers(
            found.drafts + self._backlinks(question), self.pln.me, edits.blog_owner(self, question)
        )
        drafts = [logic.with_kind(d, question.url) for d in drafts]
        with self.store.transaction():
            db.forget_answers(self.store, question.id, askers)  # stored before they were known
            stored = [d.kind for d in drafts if self._store_answer(question.id, d) is not None]
            new, shares = stored.count("answer"), stored.count("boost")
            state = self._apply_answers(question)
            updates = {"last_checked_at": stamp, "check_error": found.error, **found.updates}
            if found.deleted:
                updates["deleted_at"] = stamp
            db.update_question(self.store, question.id, **updates)
        status = (
            "failed"
            if found.error
            else "deleted"
            if found.deleted
            else ("new" if new or shares else "unchanged")
        )
        return CheckResult(
            question.id, question.text, status, state, new_answers=new, error=found.error,
            new_shares=shares,
        )  # fmt: skip

    def _backlinks(self, question: Question) -> builtins.list[AnswerDraft]:
        """Posts from the network that link to the question's URL."""
        if not question.url:
            return []
        variants = logic.url_variants(question.url)
        rows = db.backlink_posts(self.store, variants, exclude_urls=variants)
        return [logic.backlink_to_answer(row, question.url) for row in rows]


def _id(ref: int | str) -> int:
    text = str(ref).strip().lstrip("#")
    if not text.isdigit():
        raise InvalidInput(f"a question is given by its id (a number), not {ref!r}")
    return int(text)
