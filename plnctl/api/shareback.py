"""Share back (``pln.shareback``): post a link with credit to Mastodon, thank the answerers of
a question. Every share is recorded (``Post.shares``) and offered to ``pd suggest`` as network
evidence. ``share --to bluesky`` posts from the account of ``plnctl bluesky login`` (300
graphemes, the author credited by their Bluesky handle when they have one, as a mention).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from plnctl.errors import InvalidInput
from plnctl.models import Post, Share, _Model
from plnctl.render.sanitize import excerpt, safe_url
from plnctl.render.shares import credit_line, share_text, thank_text
from plnctl.store import notes as db
from plnctl.timeutil import now_iso

if TYPE_CHECKING:
    from plnctl.api import Pln
    from plnctl.mastodon_auth import Login

NETWORKS = ("mastodon", "bluesky")


@dataclass(frozen=True)
class ThankDraft(_Model):
    question_id: int
    text: str
    mentions: tuple[str, ...]
    in_reply_to: str | None  # the question's status id, when it was asked on Mastodon


class ShareBackService:
    def __init__(self, pln: Pln):
        self.pln = pln
        self.store = pln.store

    def draft(self, post_id: int, *, to: str = "mastodon", comment: str | None = None) -> str:
        """The exact text ``share`` would post (nothing is sent)."""
        _network(to)
        post = self.pln.posts.get(post_id)
        handle, blog = db.credit(self.store, post.id)
        if to == "bluesky":
            handle = self._bluesky_handle(post) or handle
        if post.boost_of_handle:
            handle, blog = post.boost_of_handle, None
        title = post.title or f"“{excerpt(post.content_text, 200)}”"
        if to == "bluesky":
            from plnctl.fetchers.bluesky.richtext import MAX_GRAPHEMES, graphemes

            credit = credit_line(handle, blog, post.person_name or post.author)
            return share_text(title, safe_url(post.url), credit, comment,
                              limit=MAX_GRAPHEMES, length=graphemes, network="Bluesky")  # fmt: skip
        credit = credit_line(handle, blog, post.person_name or post.author, self._host())
        return share_text(title, safe_url(post.url), credit, comment)

    def share(self, post_id: int, *, to: str = "mastodon", comment: str | None = None) -> Share:
        """Post the draft from the logged-in account and record it on the post."""
        text = self.draft(post_id, to=to, comment=comment)
        if to == "bluesky":
            posted = self.pln.bluesky.account.post(text, what="the share")
            status = {"url": posted["url"], "id": posted["uri"]}
            return self._record(text, status, network="bluesky", post_id=post_id)
        status = self.pln.mastodon.post_status(text)
        return self._record(text, status, post_id=post_id)

    def _bluesky_handle(self, post: Post) -> str | None:
        """The author's Bluesky handle (the post's own source, else their Bluesky source)."""
        from plnctl.models import SourceKind

        if post.person_id is None:
            return None
        sources = [s for s in self.pln.sources.list(person=post.person_id)
                   if s.kind is SourceKind.BLUESKY and s.handle]  # fmt: skip
        sources.sort(key=lambda s: (s.id != post.source_id, s.id))
        return sources[0].handle if sources else None

    def draft_thanks(self, question_id: int, *, comment: str | None = None) -> ThankDraft:
        question = self.pln.questions.get(question_id)
        me = self._me()
        handles: dict[str, None] = {}
        names: dict[str, None] = {}
        for answer in question.answers:
            if answer.author_handle and answer.author_handle.lstrip("@").lower() != me:
                handles.setdefault(answer.author_handle, None)
            elif not answer.author_handle and answer.author_name:
                names.setdefault(answer.author_name, None)
        reply_to = question.remote_id if question.kind == "mastodon" else None
        link = None if reply_to else safe_url(question.url)
        text = thank_text(list(handles), list(names), comment, link, self._host())
        return ThankDraft(question.id, text, tuple(handles), reply_to)

    def thank(self, question_id: int, *, comment: str | None = None) -> Share:
        """Post the thank-you drafted by ``draft_thanks`` (a reply when the question is a
        Mastodon status) and record it."""
        draft = self.draft_thanks(question_id, comment=comment)
        status = self.pln.mastodon.post_status(draft.text, in_reply_to_id=draft.in_reply_to)
        return self._record(draft.text, status, question_id=question_id)

    def _record(
        self, text: str, status: dict[str, object], *, network: str = "mastodon", **target: int
    ) -> Share:
        with self.store.transaction():
            share_id = db.add_share(
                self.store, network=network, text=text, at=now_iso(),
                url=status.get("url"), remote_id=status.get("id"), **target,
            )  # fmt: skip
        return Share(
            id=share_id, network=network, text=text, shared_at=now_iso(),
            url=str(status.get("url") or "") or None, remote_id=str(status.get("id") or "") or None,
            **target,  # type: ignore[arg-type]
        )  # fmt: skip

    def _me(self) -> str | None:
        login = self._login()
        return login.acct.lower().lstrip("@") if login and login.acct else None

    def _host(self) -> str | None:
        """The logged-in instance's host (local accounts are mentioned as @user)."""
        from urllib.parse import urlsplit

        login = self._login()
        return urlsplit(login.instance).netloc if login else None

    def _login(self) -> Login | None:
        from plnctl import mastodon_auth

        return mastodon_auth.current_login(self.pln.settings)


def _network(to: str) -> str:
    if to not in NETWORKS:
        raise InvalidInput(f"--to must be one of {', '.join(NETWORKS)}")
    return to
