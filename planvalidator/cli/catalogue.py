"""``planvalidator rules`` and ``programs``: the rules and the subsidy programs, listed and explained."""

from __future__ import annotations

import sys

import click

from planvalidator.cli.common import EXIT_CANNOT_CHECK, fail


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def programs(fmt):
    """助成制度のプロファイル（schemas/programs/）の一覧: コースごとの助成率・上限・年数・下限と出典の資料。

    \b
    check・annotate・batch の --program に「制度」か「制度:コース」を書くと、その数値でチェックします。
    """
    import json

    from planvalidator.profiles import ProfileError, profiles

    try:
        known = profiles()
    except ProfileError as exc:
        fail(exc)
    if fmt == "json":
        click.echo(json.dumps([_profile_dict(p) for p in known.values()], ensure_ascii=False, indent=2))
        return
    for profile in known.values():
        click.echo(f"{profile.id}  {profile.name}（{profile.issuer}）")
        click.echo(f"  資料: {profile.title}" + (f"／様式 {profile.template}" if profile.template else
                                                                  "／事業計画書は JSON で"))
        for course in profile.courses.values():
            click.echo(f"  --program {course.id}  {course.name}")
            click.echo(f"      {_course_line(course)}")


def _course_line(course) -> str:
    parts = [f"助成率 {course.rate.numerator}/{course.rate.denominator}", f"上限 {course.cap:,} 円"]
    if course.years:
        parts.append(f"{course.years} 年度")
    if course.yearly_caps:
        parts.append("年度ごと " + "・".join(f"{c:,}" for c in course.yearly_caps) + " 円"
                     + ("（目安）" if course.yearly_severity == "warning" else ""))
    if course.min_eligible is not None:
        parts.append(f"対象経費 {course.min_eligible:,} 円以上")
    for limit in course.item_limits:
        share = (f"合計の {limit.max_share.numerator}/{limit.max_share.denominator}" if limit.max_share is not None else "")
        amounts = "・".join(x for x in (f"{limit.max:,} 円" if limit.max is not None else "", share) if x)
        if limit.max == 0:
            parts.append(f"{limit.name}は対象外")
        elif amounts:
            parts.append(f"{limit.name} {amounts} まで")
        elif limit.only_in:
            where = "・".join(str(v) for vs in limit.only_in.values() for v in (vs if isinstance(vs, list) else [vs]))
            parts.append(f"{limit.name}は {where} だけ")
    if any(key in course.eligibility for key in ("price_increase", "margin_decrease")):
        parts.append("数値の要件あり")
    elif course.eligibility:
        parts.append("対象者の要件あり")
    return "、".join(parts)


def _profile_dict(profile) -> dict:
    return {"id": profile.id, "name": profile.name, "issuer": profile.issuer, "document": profile.document,
            "title": profile.title, "template": profile.template,
            "courses": [{"id": c.id, "name": c.name, "rate": [c.rate.numerator, c.rate.denominator], "cap": c.cap,
                         "years": c.years, "yearly_caps": list(c.yearly_caps), "yearly_severity": c.yearly_severity,
                         "min_eligible": c.min_eligible,
                         "item_limits": [{"name": l.name, "max": l.max,
                                          "max_share": [l.max_share.numerator, l.max_share.denominator]
                                          if l.max_share is not None else None, "source": l.source}
                                         for l in c.item_limits],
                         "sources": c.sources} for c in profile.courses.values()]}


@click.command()
@click.argument("code", required=False)
@click.option("--template", "version", default=None, help="様式の版（既定: いちばん新しい版）。その版のプログラムの値で説明します。")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules(code, version, fmt):
    """規則の一覧、または 1 つの規則の説明（規則はコードか名前）。

    説明の中の助成率・限度額・日付・シート名は、その版のプログラム（schemas/<版>/program.yaml）の値です。

    \b
    例:
      planvalidator rules
      planvalidator rules PV207
      planvalidator rules amount-mismatch
    """
    import json

    from planvalidator import rules as catalogue
    from planvalidator.errors import CannotCheck
    from planvalidator.layout import known_layouts
    from planvalidator.program import load_program
    from planvalidator.selection import program_applies

    layout = next((l for l in known_layouts() if version in (None, l.template)), None)
    if layout is None:
        click.echo(f"planvalidator: 様式の版「{version}」が見つかりません", err=True)
        sys.exit(EXIT_CANNOT_CHECK)
    try:
        program = load_program(layout.folder)
    except CannotCheck as exc:
        click.echo(f"planvalidator: {exc.reason}", err=True)
        sys.exit(EXIT_CANNOT_CHECK)
    if code:
        rule = catalogue.get(code)
        if rule is None:
            click.echo(f"planvalidator: 規則「{code}」はありません（planvalidator rules で一覧）", err=True)
            sys.exit(EXIT_CANNOT_CHECK)
        selected = [rule]
    else:
        selected = catalogue.all_rules()
    selected = [r.rendered(program, layout) for r in selected]
    if fmt == "json":
        click.echo(json.dumps([{"code": r.code, "name": r.name, "severity": r.severity.value,
                                "family": r.family, "summary": r.brief, "reference": r.reference,
                                "reads": list(r.reads), "applies": program_applies(program, r.code),
                                "doc": r.doc, "fixes": r.fixes or None, "advice": r.advice} for r in selected],
                               ensure_ascii=False, indent=2))
        return
    if code:
        r = selected[0]
        reads = f"\n読む値: {'、'.join(_key_names().get(k, k) for k in r.reads)}" if r.reads else ""
        fixes = f"修正（planvalidator fix）: {r.fixes}\n" if r.fixes else ""
        click.echo(f"{r.code} {r.name}（{r.severity.label}・{r.family}）\n{r.brief}\n\n{r.doc}\n\n"
                   f"直し方: {r.advice}\n{fixes}出典: {r.reference}{reads}\n（{program.name}・様式 {layout.template} の値）")
        return
    width = max(len(r.name) for r in selected)
    family = None
    for r in selected:
        if r.family != family:
            family = r.family
            click.echo(f"\n# {family}" if r is not selected[0] else f"# {family}")
        click.echo(f"{r.code}  {r.name:<{width}}  {r.severity.value:<8} {r.brief}")


def _key_names() -> dict[str, str]:
    """What a rule reads of the program data, in the words a user knows (schemas/program_keys.yaml)."""
    import yaml

    from planvalidator.resources import schemas_dir

    return yaml.safe_load((schemas_dir() / "program_keys.yaml").read_text(encoding="utf-8")) or {}
