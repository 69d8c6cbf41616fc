"""plnctl topic add|list|show|edit|remove|rebuild|init|suggest."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from plnctl.cli import complete, output
from plnctl.cli.context import pln
from plnctl.models import RuleKind, Topic
from plnctl.timeutil import humanize_age

if TYPE_CHECKING:
    from plnctl.api.search import TopicSuggestion
    from plnctl.api.topics import TopicChange

topic_app = typer.Typer(
    help="Topics: sort posts by what they are about, with explainable rules.", no_args_is_help=True
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
NameArg = Annotated[str, complete.topic_argument("Topic name (case-insensitive).")]
Many = list[str] | None


def register(app: typer.Typer) -> None:
    app.add_typer(topic_app, name="topic")


@topic_app.command("add")
def add(
    ctx: typer.Context,
    name: NameArg,
    keyword: Annotated[
        Many,
        typer.Option(
            "--keyword",
            "-k",
            help="A word or phrase, matched as whole words in title or text (repeatable).",
        ),
    ] = None,
    hashtag: Annotated[
        Many, typer.Option("--hashtag", help="A hashtag, with or without # (repeatable).")
    ] = None,
    category: Annotated[
        Many, typer.Option("--category", help="A feed category (repeatable).")
    ] = None,
    exclude: Annotated[
        Many,
        typer.Option(
            "--exclude", help="A word or phrase that keeps the topic off a post (repeatable)."
        ),
    ] = None,
    person: Annotated[
        Many,
        typer.Option(
            "--person",
            help="A person who writes about this (a hint for grouping and suggestions; does not tag their posts; repeatable).",
        ),
    ] = None,
    description: Annotated[
        str | None, typer.Option("--description", help="What the topic is about.")
    ] = None,
    exact: Annotated[
        bool,
        typer.Option(
            "--exact",
            help="Match keywords as written (by default 'question' also matches 'questions').",
        ),
    ] = False,
    json: JsonOpt = False,
) -> None:
    """Create a topic and its rules, and tag the posts you already have with it.

    Example: plnctl topic add assessment --keyword "formative assessment" --hashtag assessment --exclude "risk assessment"
    """
    api = pln(ctx)
    with output.working("Tagging the posts you have..."):
        change = api.topics.add(
            name,
            keywords=keyword or (),
            hashtags=hashtag or (),
            categories=category or (),
            excludes=exclude or (),
            people=person or (),
            description=description,
            exact=exact,
        )
    if json:
        output.emit_json(change)
        return
    output.info(
        f"Added topic {change.topic.name} (id {change.topic.id}) with "
        f"{len(change.topic.rules)} rule(s); " + _counts(change)
    )


def _counts(change: TopicChange) -> str:
    return f"{change.tagged} post(s) tagged, {change.untagged} untagged."


@topic_app.command("list")
def list_(ctx: typer.Context, json: JsonOpt = False) -> None:
    """List topics with their number of posts and rules.

    Example: plnctl topic list
    """
    topics = pln(ctx).topics.list()
    if json:
        output.emit_json(topics)
        return
    if not topics:
        output.info(
            "No topics yet. Install the starter topics for educators with: plnctl topic init"
        )
        return
    output.table(
        ["id", "topic", "posts", "rules", "people"],
        [[t.id, t.name, t.post_count, len(t.rules), len(t.people)] for t in topics],
    )


@topic_app.command("show")
def show(ctx: typer.Context, name: NameArg, json: JsonOpt = False) -> None:
    """Show a topic's rules, linked people and latest posts.

    Example: plnctl topic show "digital literacy"
    """
    api = pln(ctx)
    topic = api.topics.resolve(name)
    posts = api.posts.list(topic=topic.name, limit=5)
    if json:
        output.emit_json(
            {
                **topic.to_dict(),
                "recent_posts": [
                    {"id": p.id, "title": p.title, "url": p.url, "published_at": p.published_at}
                    for p in posts
                ],
            }
        )
        return
    output.lines(topic_lines(topic))
    if posts:
        output.lines(
            ["", "Latest posts:"]
            + [
                f"  [{p.id}] {humanize_age(p.published_at or p.fetched_at):>8}  "
                f"{p.title or (p.content_text or '')[:70]}"
                for p in posts
            ]
        )


def topic_lines(topic: Topic) -> list[str]:
    lines = [f"{topic.name}  (id {topic.id}, {topic.post_count} post(s))"]
    if topic.description:
        lines.append(topic.description)
    labels = {
        RuleKind.KEYWORD: "Keywords",
        RuleKind.HASHTAG: "Hashtags",
        RuleKind.CATEGORY: "Categories",
        RuleKind.EXCLUDE: "Excludes",
    }
    for kind, label in labels.items():
        values = [
            ("#" if kind is RuleKind.HASHTAG else "") + r.value
            for r in topic.rules
            if r.kind is kind
        ]
        if values:
            lines.append(f"{label}: {', '.join(values)}")
    if topic.exact:
        lines.append("Matching: exact (keywords as written, no stemming)")
    if topic.people:
        lines.append(f"People who write about it: {', '.join(topic.people)}")
    if not topic.rules:
        lines.append("No rules: only posts you tag by hand have this topic.")
    return lines


@topic_app.command("edit")
def edit(
    ctx: typer.Context,
    name: NameArg,
    rename: Annotated[str | None, typer.Option("--name", help="A new name.")] = None,
    description: Annotated[
        str | None, typer.Option("--description", help="Replace the description ('' clears it).")
    ] = None,
    exact: Annotated[
        bool | None,
        typer.Option(
            "--exact/--stem", help="Match keywords as written, or by their stems (the default)."
        ),
    ] = None,
    keyword: Annotated[
        Many, typer.Option("--keyword", "-k", help="Add a keyword or phrase (repeatable).")
    ] = None,
    hashtag: Annotated[Many, typer.Option("--hashtag", help="Add a hashtag (repeatable).")] = None,
    category: Annotated[
        Many, typer.Option("--category", help="Add a feed category (repeatable).")
    ] = None,
    exclude: Annotated[
        Many, typer.Option("--exclude", help="Add an exclude term (repeatable).")
    ] = None,
    person: Annotated[
        Many, typer.Option("--person", help="Link a person as a hint (repeatable).")
    ] = None,
    remove_keyword: Annotated[
        Many, typer.Option("--remove-keyword", help="Remove a keyword (repeatable).")
    ] = None,
    remove_hashtag: Annotated[
        Many, typer.Option("--remove-hashtag", help="Remove a hashtag (repeatable).")
    ] = None,
    remove_category: Annotated[
        Many, typer.Option("--remove-category", help="Remove a category (repeatable).")
    ] = None,
    remove_exclude: Annotated[
        Many, typer.Option("--remove-exclude", help="Remove an exclude term (repeatable).")
    ] = None,
    remove_person: Annotated[
        Many, typer.Option("--remove-person", help="Unlink a person (repeatable).")
    ] = None,
    json: JsonOpt = False,
) -> None:
    """Rename a topic or change its rules; its tags on posts follow at once.

    Example: plnctl topic edit assessment --keyword rubrics --remove-hashtag afl
    """
    add = {
        RuleKind.KEYWORD: keyword,
        RuleKind.HASHTAG: hashtag,
        RuleKind.CATEGORY: category,
        RuleKind.EXCLUDE: exclude,
        RuleKind.PERSON: person,
    }
    remove = {
        RuleKind.KEYWORD: remove_keyword,
        RuleKind.HASHTAG: remove_hashtag,
        RuleKind.CATEGORY: remove_category,
        RuleKind.EXCLUDE: remove_exclude,
        RuleKind.PERSON: remove_person,
    }
    api = pln(ctx)
    with output.working("Re-tagging the posts you have..."):
        change = api.topics.edit(
            name,
            rename=rename,
            description=description,
            exact=exact,
            add={k: v for k, v in add.items() if v},
            remove={k: v for k, v in remove.items() if v},
        )
    if json:
        output.emit_json(change)
        return
    output.info(f"Updated topic {change.topic.name} (id {change.topic.id}); " + _counts(change))


@topic_app.command("remove")
def remove(ctx: typer.Context, name: NameArg, yes: output.YesOpt = False) -> None:
    """Delete a topic, its rules and its tags on posts (the posts stay); asks first.

    Example: plnctl topic remove "edtech tools" --yes
    """
    found = pln(ctx).topics.resolve(name)
    output.confirm(f"Delete topic {found.name} and its {found.post_count} tag(s)?", yes=yes)
    change = pln(ctx).topics.remove(found.name)
    output.info(f"Removed topic {change.topic.name}; {change.untagged} post(s) untagged.")


@topic_app.command("rebuild")
def rebuild(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="Only this topic (default: all).")] = None,
    json: JsonOpt = False,
) -> None:
    """Re-apply the topic rules to every post; manual tags and removals are kept.

    Example: plnctl topic rebuild
    """
    with output.working("Re-applying topic rules to every post..."):
        report = pln(ctx).topics.rebuild(topic=name)
    if json:
        output.emit_json(report)
        return
    output.info(
        f"Applied {report.topics} topic(s) to {report.posts} post(s) in "
        f"{report.seconds:.1f}s: {report.rule_tags} rule tag(s) (was "
        f"{report.rule_tags_before}), {report.manual_tags} manual, "
        f"{report.blocked_tags} removed by hand."
    )


@topic_app.command("init")
def init(
    ctx: typer.Context,
    no_rebuild: Annotated[
        bool, typer.Option("--no-rebuild", help="Do not tag existing posts now.")
    ] = False,
    region: Annotated[
        str | None,
        typer.Option(
            "--region",
            help="School system whose spellings, hashtags and terms to use: au, uk, us, nz, ca or ie (default: from your locale).",
        ),
    ] = None,
) -> None:
    """Install the starter topics for educators (names you already have are skipped), then
    tag your existing posts. Edit or remove them like any topic.

    Example: plnctl topic init --region uk
    """
    api = pln(ctx, create=True)
    region = region or api.topics.starter_region()
    created = api.topics.install_starter_taxonomy(region=region)
    output.info(
        f"Added {created} starter topic(s) for region {region}; see them with: plnctl topic list"
    )
    if created and not no_rebuild:
        with output.working("Tagging the posts you already have..."):
            report = api.topics.rebuild()
        output.info(f"Tagged {report.posts} existing post(s): {report.rule_tags} tag(s).")


@topic_app.command("suggest")
def suggest(
    ctx: typer.Context,
    since: Annotated[
        str, typer.Option("--since", help="Look at posts that arrived since: 7d, 30d or a date.")
    ] = "30d",
    limit: Annotated[
        int, typer.Option("--limit", min=1, help="At most this many suggestions.")
    ] = 20,
    min_posts: Annotated[
        int, typer.Option("--min-posts", min=1, help="Used in at least this many posts.")
    ] = 3,
    json: JsonOpt = False,
) -> None:
    """Suggest topics: phrases and hashtags much more frequent in recent posts than before
    that no topic covers, each with examples and the command that creates it.

    Example: plnctl topic suggest --since 14d
    """
    found = pln(ctx).topics.suggest(since=since, limit=limit, min_posts=min_posts)
    if json:
        output.emit_json(found)
        return
    if not found:
        output.info("Nothing new: recent posts are covered by your topics (or there are few).")
        return
    output.lines(suggestion_lines(found))


def suggestion_lines(found: list[TopicSuggestion]) -> list[str]:
    lines = []
    for s in found:
        lines.append(f"{s.term}  ({s.posts} recent post(s), {s.before} before)")
        lines.extend(f"    e.g. {example}" for example in s.examples)
        lines.extend([f"    {s.command}", ""])
    return lines
