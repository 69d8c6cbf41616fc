"""Questions changed after the fact: track an already-tracked URL again (an update), edit a
question, delete it, remove a wrong answer; and who the asker of a question is (the user, and
for a blog question the blog's owner), so the asker's own comments are never answers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from plnctl import answer_rules
from plnctl import questions as logic
from plnctl.api.sources import check_http_url
from plnctl.errors import InvalidInput, NotFound
from plnctl.frozen import LazyData, frozen
from plnctl.identity import Me, not_mine
from plnctl.models import Answer, Question
from plnctl.questions import AnswerDraft
from plnctl.store import questions as db

if TYPE_CHECKING:
    from plnctl.api.questions import QuestionsService

UNSET: Any = object()  # an option not given (None means "remove" for --comments)


@frozen
class Tracked(LazyData):
    """What ``question track`` did: ``tracked`` (new), ``updated`` or ``unchanged``."""

    question: Question
    outcome: str
    changed: tuple[str, ...] = ()  # the fields an update changed

    def to_dict(self) -> dict[str, Any]:
        return {**self.question.to_dict(), "outcome": self.outcome, "changed": list(self.changed)}


def existing_for(service: QuestionsService, url: str) -> int | None:
    return db.question_for_url(service.store, logic.url_variants(url))


def update(
    service: QuestionsService,
    question_id: int,
    *,
    text: str | None = None,
    topics: Sequence[str] = (),
    remove_topics: Sequence[str] = (),
    comment_feed: str | None = UNSET,
) -> Tracked:
    """Change a question's text, topics or comment feed; says what changed (nothing is an
    ``unchanged`` outcome, not an error)."""
    current = service.get(question_id)
    fields: dict[str, Any] = {}
    if text is not None and (text := logic.question_text(text)) != current.text:
        fields["text"] = text
    if comment_feed is not UNSET:
        if current.kind in ("mastodon", "bluesky"):
            raise InvalidInput(
                f"question {current.id} is a {current.kind} post: its replies are its answers, "
                "only a blog question has a comment feed"
            )
        feed = check_http_url(comment_feed) if comment_feed else None
        if feed != current.comment_feed_url:
            fields.update(comment_feed_url=feed, check_error=None)
    have = {t.casefold() for t in current.topics}
    added = [t.strip() for t in topics if t.strip() and t.strip().casefold() not in have]
    removed = [t for t in remove_topics if t.strip().casefold() in have]
    with service.store.transaction():
        db.update_question(service.store, current.id, **fields)
        db.add_question_topics(service.store, current.id, added)
        db.remove_question_topics(service.store, current.id, removed)
    changed = tuple(k for k in fields if k != "check_error") + (
        ("topics",) if added or removed else ()
    )
    return Tracked(service.get(current.id), "updated" if changed else "unchanged", changed)


def edit(
    service: QuestionsService,
    question_id: int,
    *,
    text: str | None,
    topics: Sequence[str],
    remove_topics: Sequence[str],
    comment_feed: str | None,
    remove_comment_feed: bool,
) -> Tracked:
    """``question edit``: ``--comments FEED`` adds or replaces, ``--no-comments`` forgets."""
    if comment_feed is not None and remove_comment_feed:
        raise InvalidInput("give --comments FEED or --no-comments, not both")
    feed = None if remove_comment_feed else UNSET if comment_feed is None else comment_feed
    return update(
        service, question_id, text=text, topics=topics, remove_topics=remove_topics,
        comment_feed=feed,
    )  # fmt: skip


def retrack(
    service: QuestionsService,
    question_id: int,
    text: str | None,
    topics: Sequence[str],
    comment_feed: str | None,
) -> Tracked:
    """``question track`` of a URL already tracked: an update with what was given."""
    feed = UNSET if comment_feed is None else comment_feed
    return update(service, question_id, text=text, topics=topics, comment_feed=feed)


def delete(service: QuestionsService, question_id: int | str) -> Question:
    """Delete a question with its answers, topics and notes; its id is never given again."""
    target = service.get(question_id)
    with service.store.transaction():
        db.delete_question(service.store, target.id)
    return target


def remove_answer(service: QuestionsService, answer_id: int) -> Answer:
    """Take a wrong answer away: out of every view and count, and a later check does not find
    it again (it is remembered as dismissed)."""
    answer = db.get_answer(service.store, answer_id)
    if answer is None:
        raise NotFound(f"no answer with id {answer_id} (see: plnctl question show QUESTION)")
    with service.store.transaction():
        db.dismiss_answer(service.store, answer.id)
        question = db.get_question(service.store, answer.question_id)
        assert question is not None
        service._apply_answers(question)
    return answer


# --- who asked ---------------------------------------------------------------------------------


def blog_owner(service: QuestionsService, question: Question) -> Me:
    """The owner of a blog question's blog as an identity: the person whose synced feed has the
    post (or whose feed's site the URL is under), with the post's author name as the blog shows
    it. Empty for other questions or when the blog is nobody's in the network."""
    if question.kind != "blog" or not question.url:
        return Me()
    store = service.store
    synced = db.blog_owner(store, logic.url_variants(question.url))
    names: list[str] = []
    if synced is not None:
        person_id: int | None = int(synced["person_id"])
        names += [synced["author"]] if synced["author"] else []
    else:
        owners = {
            pid for pid, site in db.feed_sites(store) if _under(question.url, site)
        }  # fmt: skip
        person_id = owners.pop() if len(owners) == 1 else None
    if person_id is None:
        return Me()
    name, handles, sites = db.person_identities(store, person_id)
    return Me.of([name, *names], handles, sites)


def _under(url: str, site: str) -> bool:
    from plnctl.identity import is_me

    return is_me(Me.of(sites=[site]), url=url)


def not_the_askers(
    drafts: Sequence[AnswerDraft], me: Me, owner: Me
) -> tuple[list[AnswerDraft], list[str]]:
    """(the drafts by someone other than the asker, the keys of the asker's own)."""
    kept = not_mine(not_mine(drafts, me), owner)
    if not owner.empty:
        kept = [d for d in kept if not _owner_named(d, owner)]
    keys = {d.answer_key for d in kept}
    return kept, [d.answer_key for d in drafts if d.answer_key not in keys]


def _owner_named(draft: AnswerDraft, owner: Me) -> bool:
    """A comment signed with the owner's name the short way ("Maria" on Maria Rivera's blog)."""
    return draft.found_via == "comments" and any(
        answer_rules.names_match(draft.author_name, name) for name in owner.names
    )


def credit_by_name(service: QuestionsService) -> int:
    """Credit answers known only by a name to the one person in the network of that name."""
    people = db.people_names(service.store)
    credited = 0
    for answer_id, name in db.unlinked_named_answers(service.store):
        person_id = answer_rules.match_person(name, people)
        if person_id is not None:
            db.credit_answer(service.store, answer_id, person_id)
            credited += 1
    return credited
