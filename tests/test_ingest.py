"""Tests of framing.ingest: segmentation, normalization, debris, HTML, fixtures."""

from __future__ import annotations

import json
import quopri
from pathlib import Path

import pytest

from framing.ingest import (
    debris_class,
    evaluate_dir,
    extract_article,
    is_debris,
    looks_like_html,
    normalize_text,
    split_sentences,
)
from framing.ingest.header import _shared
from framing.ingest.html import _line_layout_text
from framing.ingest.lines import _line_context
from framing.ingest.mime import looks_like_mime
from framing.ingest.paragraphs import _paragraphs
from framing.ingest.segment import _clean_paragraph
from framing.ingest.tree import _html_tree

RAW_DIR = Path(__file__).resolve().parents[1] / "data" / "raw"


# ---------------------------------------------------------------- normalization


def test_normalize_nfkc_whitespace_zero_width() -> None:
    assert normalize_text("  Ｋｉｍ\u00a0Jong\u200b Un\n\tmet  Putin ") == "Kim Jong Un met Putin"
    assert normalize_text("soft\u00adhyphen\ufeff") == "softhyphen"
    assert normalize_text("wait\u2026") == "wait..."


def test_normalize_quotes_and_circled_c() -> None:
    curly = "\u201cbreakthrough\u201d and Kim\u2019s \u2018ally\u2019"
    assert normalize_text(curly) == "\"breakthrough\" and Kim's 'ally'"
    # NFKC alone would turn the circled c into a plain "c"
    assert normalize_text("(\u24d2 KCNA)") == "(\u00a9 KCNA)"
    assert normalize_text("a \u2014 b \u2013 c") == "a \u2014 b \u2013 c"  # dashes kept


# ---------------------------------------------------------------- segmentation


def test_abbreviations_do_not_split() -> None:
    text = (
        "Lt. Gen. Viktor Hrytsenko met Mr. Putin before 3 a.m. on Sept. 13 in the U.S. embassy. "
        "Gen. Park said the U.N. panel, i.e. the experts, saw e.g. ships at Terminal No. 1 in Rajin. "
        "Volumes rose to 3.5 million tonnes by 2 p.m. CEST on July 14. Fr. Joseph Antony, a parish priest, wrote. "
        "Ret. Lt. Col. Graham Tully agreed, and so did Eng. Adilson Monteiro. The U.S. has accused Pyongyang."
    )
    assert split_sentences(text) == [
        "Lt. Gen. Viktor Hrytsenko met Mr. Putin before 3 a.m. on Sept. 13 in the U.S. embassy.",
        "Gen. Park said the U.N. panel, i.e. the experts, saw e.g. ships at Terminal No. 1 in Rajin.",
        "Volumes rose to 3.5 million tonnes by 2 p.m. CEST on July 14.",
        "Fr. Joseph Antony, a parish priest, wrote.",
        "Ret. Lt. Col. Graham Tully agreed, and so did Eng. Adilson Monteiro.",
        "The U.S. has accused Pyongyang.",
    ]


def test_a_threads_post_number_is_taken_off_like_a_list_number() -> None:
    assert _clean_paragraph("2/ Asked whether Moscow would help, Putin said yes.") == (
        "Asked whether Moscow would help, Putin said yes.")
    assert _clean_paragraph("9/11 changed the alliance debate.") == "9/11 changed the alliance debate."
    assert _clean_paragraph("▌ North Korea confirmed the deployment.") == "North Korea confirmed the deployment."


def test_quotes_with_full_stop_inside() -> None:
    text = (
        "Putin said: \u201cThat is why we came here.\u201d The leaders toured the site. "
        "\u201cWe will always be with Russia,\u201d Kim said. "
        "He called the soldiers \u201cdisciplined but unprepared.\u201d Is this World War Three? No."
    )
    assert split_sentences(text) == [
        'Putin said: "That is why we came here."',
        "The leaders toured the site.",
        '"We will always be with Russia," Kim said.',
        'He called the soldiers "disciplined but unprepared."',
        "Is this World War Three?",
        "No.",
    ]


def test_numbered_lists_and_brackets() -> None:
    text = (
        "1. The scale is significant. Some 11,000 troops were sent.\n"
        "2) The legal basis [Article 4] is contested.\n"
        "- Expertise built up over 15 years \u2014 e.g., on ship tracing \u2014 will disperse.\n"
        "Several points stand out. 3. The troops are learning."
    )
    assert split_sentences(text) == [
        "The scale is significant.",
        "Some 11,000 troops were sent.",
        "The legal basis [Article 4] is contested.",
        "Expertise built up over 15 years \u2014 e.g., on ship tracing \u2014 will disperse.",
        "Several points stand out.",
        "The troops are learning.",
    ]


# ---------------------------------------------------------------- debris lines


@pytest.mark.parametrize(
    "line",
    [
        "Quick access to main page",
        "Skip to content",
        "Politics",
        "Home > North Korea > Diplomacy",
        "News | Sport | Showbiz | TV | Money | World",
        "By Kim Min-ji (minji@example.co.kr)",
        "By ANNA VOLKOVA and LEE JAE-WON",
        "Reporter : Lee Soo-jin (sjlee@example-tv.co.kr)",
        "Views 1,234",
        "Comments0",
        "Comments (248)",
        "Updated 2024-06-20 09:10",
        "Published: 14:02, 20 Nov 2024 | Updated: 16:45, 20 Nov 2024",
        "Juche113(2024).6.20.",
        "[Image source=Yonhap News]",
        "Kim and Putin shake hands in Pyongyang on June 19. [Image source=Yonhap News]",
        "\u25b3 North Korean leader Kim Jong Un inspects a launch pad (\u24d2 KCNA)",
        "Photo: The Friendship Bridge over the Tumen River.",
        "Kim inspects special forces in a picture released by state media Credit: AFP",
        "Share it on Facebook / Twitter / KakaoTalk",
        "Copy Link copied",
        "Copyright \u00a9 2024 The Seoul Daily. All rights reserved.",
        "Reprint and redistribution prohibited.",
        "Latest Stories",
        "Weekly Best Articles",
        "You May Also Like",
        "Most Read in World",
        "Advertisement",
        "We use cookies to improve your experience. By continuing, you agree to our use of cookies.",
        "Subscribe to our newsletter",
        "Lee reported from Seoul, South Korea.",
        "Download PDF (1.2 MB)",
        "[THEME MUSIC]",
        "[ CEREMONY AUDIO, MILITARY BAND ]",
        "Disclosure: The author holds shares of two defence companies named in this piece.",
        "This note is for general information only and does not constitute legal or investment advice.",
        "Past performance is not a guide to future returns.",
        "This post may contain affiliate links.",
        "The views expressed in this column are the author's own.",
        "Jane Doe-Park is a senior fellow at the Northeast Asia Institute.",
        "Cho Min-ji covers North Korea and inter-Korean affairs for KMW.",
        "Back to All Insights",
        "This story has been updated with comment from the ministry.",
        "Join our Telegram channel and get the latest breaking news delivered to you.",
        "Subscribers can sign up to our Asia Briefing newsletter, which arrives every Friday.",
        "Together with LinguaBridge",
        "This was published 8 months ago",
        "ANNONS",
        "(A shorter version of this essay appeared in The Lantau Review on June 26, 2024.)",
        "KCNA via AP",
        "To Read Part 1.. click here: Migrant crews and the Siberian sawmill boom",
        "Series: The new axis — a three-part look at the partnership between Moscow and Pyongyang.",
        "If you value independent journalism in Tucson, chip in today.",
        "Support for Across the Pacific comes from Emerald Ridge Credit Union.",
        "We take no money from governments or arms manufacturers.",
        "Dr. Morag Hastie, Lomond Institute",
        "Dana Whitlock, retired Air Force intelligence officer",
        "Nikolai Brandt-Sørensen is AutoWire Pro's trade and policy correspondent.",
        "This episode is supported by Halyard Field Training.",
        "When you purchase through links on our site, we may earn an affiliate commission.",
        "By continuing to browse you consent to our use of cookies.",
        "Load earlier entries",
        "Click to expand",
        "Key events",
        "Also Read | Putin's Pyongyang visit: Kim Jong Un rolls out the red carpet",
        "#DPRK #Russia #Tumen #infrastructure",
        "Advertise with The Canterbury Regional",
        "Give now",
        "Thanks for signing up!",
    ],
)
def test_debris_lines(line: str) -> None:
    assert is_debris(line), (line, debris_class(line))


@pytest.mark.parametrize(
    "line",
    [
        "Putin and Kim sign treaty pledging mutual military assistance",
        "By contrast, Moscow says the pact is purely defensive.",
        "By June the line had carried 3 million tonnes.",
        "Images of the launch were broadcast on state television.",
        "Sources said the talks went well.",
        "Trade is booming.",
        "Why the veto matters",
        "He said the talks were held in Pyongyang (Yonhap).",
        "Present there were Choe Son Hui, member of the Political Bureau of the C.C., WPK "
        "and other officials.",
        "Russia is a permanent member of the U.N. Security Council.",
        "It is the kind of work that rarely makes headlines, but several crew members said the patrol felt different.",
        "Analysts said the disclosure of the deal surprised investors in Seoul.",
        "Back to the drawing board for the sanctions committee",
        "Together with Moscow, Pyongyang rejected the statement.",
        "The shells reached the front via Rason and the Khasan rail link.",
        "Part of the deal was never published.",
        "Russia said it would donate 50,000 tonnes of wheat to Pyongyang.",
        "Kim Jong Un, Putin hold summit at Russian space centre",
        "For Pyongyang, the resort is also a showcase.",
        "An Old Alliance, Rebuilt From Spare Parts",
    ],
)
def test_article_lines_are_not_debris(line: str) -> None:
    assert not is_debris(line), (line, debris_class(line))


# ---------------------------------------------------------------- plain text


_BRIDGE_PAGE = (
        "Skip to content\nHome\nWorld\n\n"
        "Russia and North Korea open new bridge talks\n"
        "By Olga Petrova (opetrova@example.ru)\nFebruary 14, 2024\nViews 3,487\n\n"
        "SEOUL, Feb. 14 (NWS) -- Officials from both sides met in Khasan on Tuesday. "
        "\u201cThe bridge will open a new chapter,\u201d one of them said.\n"
        "Photo: The rail bridge over the Tumen River. (File photo)\n"
        "Construction could take 1.5 years, i.e. until mid-2026.\n"
        "Most Read\nWar fears grip Europe as missiles fly\nCeleb chef opens Moscow diner\n"
        "Copyright \u00a9 2024 Example News. All rights reserved.\n"
)


def test_plain_text_pipeline_headline_debris_related_list() -> None:
    assert extract_article(_BRIDGE_PAGE)[:3] == [
        "Russia and North Korea open new bridge talks",
        "Officials from both sides met in Khasan on Tuesday.",
        '"The bridge will open a new chapter," one of them said.',
    ]
    out = "\n".join(extract_article(_BRIDGE_PAGE))
    for debris in ("Skip to content", "Olga Petrova", "Views", "Photo:", "Most Read", "War fears", "Copyright"):
        assert debris not in out


@pytest.mark.xfail(strict=True, reason="known miss of the shipped line model (README, Raw articles): a lone "
                   "sentence between a caption and a story list looks like furniture to it; the rules alone keep it")
def test_lone_sentence_between_caption_and_story_list_is_kept() -> None:
    assert "Construction could take 1.5 years, i.e. until mid-2026." in extract_article(_BRIDGE_PAGE)


def test_hard_wrapped_text_is_unwrapped() -> None:
    para = (
        "North Korea has sent about 6,700 containers to Russia since July, which\n"
        "could hold more than 3 million artillery shells, South Korea's defense\n"
        "minister said on Tuesday. Both Moscow and Pyongyang deny any transfers\n"
        "of arms, and the U.S. has promised to keep exposing the shipments to\n"
        "the world.\n"
    )
    later = (
        "Officials in Kyiv said the shells had begun to reach units near Pokrovsk by\n"
        "the autumn, although many of them failed to explode on impact. Russia has\n"
        "not commented on the reports, and North Korea's state media did not mention\n"
        "the shipments at all.\n"
    )
    raw = "Seoul says North Korea shipped millions of shells\nBy Choi Yu-na\n\n" + para + "\n" + later
    out = extract_article(raw, is_html=False)
    assert out[0] == "Seoul says North Korea shipped millions of shells"
    assert out[1].startswith(
        "North Korea has sent about 6,700 containers to Russia since July, which could hold"
    )
    assert out[2] == (
        "Both Moscow and Pyongyang deny any transfers of arms, and the U.S. has promised "
        "to keep exposing the shipments to the world."
    )
    assert out[4] == ("Russia has not commented on the reports, and North Korea's state media did not mention "
                      "the shipments at all.")
    assert len(out) == 5


def test_the_plain_text_headline_is_the_title_nearest_its_byline() -> None:
    """A site's tagline, a menu and a date line above the headline: the tagline is not the headline, and a
    deck between the headline and the byline does not take its place."""
    pars = [
        "News from Munich and Bavaria, in English", "Log in", "Subscribe", "Monday, 17 February 2025",
        "Weather in the city today: cloudy and cold", "Opinion › Editorial",
        "After Munich, Europe can no longer file North Korea under Asia",
        "The security conference showed that the war in Ukraine is a European matter",
        "By Anna Weber", "17 February 2025, 07:00 CET",
        "For years, European governments treated North Korea as a problem for Washington, Seoul and Tokyo.",
    ]
    headline, _, _ = _line_context(pars, None, set())
    assert headline == "After Munich, Europe can no longer file North Korea under Asia"
    assert extract_article("\n\n".join(pars))[0] == headline


def test_a_cookie_wall_and_a_tagline_over_a_plain_text_headline_are_header_furniture() -> None:
    """A cookie wall's prose above the story must not end the headline search, and a tagline with no date line
    under the headline is not the headline: the search starts at the first title that shares words with the
    prose under it, and what lies above is marked as the page header. (A tagline that shares two such words with
    the lede would still start the search: a known limit.)"""
    pars = [
        "Your English voice in Portugal since 1998", "Home", "News", "Opinion",
        "We value your privacy", "We and our partners store and access information on your device, such as cookies, "
        "and process personal data for ads, measurement and content.", "Accept all", "Manage options",
        "Sun, sand and sanctions",
        "Russian tourists are the first foreigners at North Korea's Wonsan resort",
        "Russian tourists arrived at the Wonsan-Kalma resort on North Korea's east coast this week, the first "
        "foreign guests since it opened in July.",
        "The resort, which North Korea says can hold 20,000 guests, is a showcase for Kim Jong Un.",
    ]
    headline, contexts, _ = _line_context(pars, None, set())
    assert headline == "Sun, sand and sanctions"
    assert all(c.above_headline for c in contexts[:9]) and not contexts[9].above_headline


def test_a_headline_wrapped_short_and_a_dateline_line_are_told_apart() -> None:
    """A headline broken after "the" (shorter than the wrap) is one line; a headline directly
    above a dateline line stays apart from it, and a body line a few characters over the
    detected width still continues."""
    body = (
        "Rail officials in Khabarovsk said on Monday that a second weekly freight train to the\n"
        "border crossing at Khasan would start running in May, carrying timber, fertilizer and\n"
        "spare parts for the port of Rajin, where a Russian firm has leased two berths until 2030.\n"
        "The company did not say how much cargo the trains would carry or who would pay for the\n"
        "upgrade of the single-track line, which was last repaired more than a decade ago.\n"
    )
    wrapped = "Second freight train to link Khabarovsk with the\nKhasan border crossing\n\n" + body
    out = extract_article(wrapped, is_html=False)
    assert out[0] == "Second freight train to link Khabarovsk with the Khasan border crossing"
    assert out[1].endswith("until 2030.") and out[1].startswith("Rail officials in Khabarovsk said")
    dated = "Rail freight to Rajin doubles as Moscow courts Pyongyang\nKHABAROVSK, April 3 (FEN) -- " + body
    out = extract_article(dated, is_html=False)
    assert out[0] == "Rail freight to Rajin doubles as Moscow courts Pyongyang"
    assert out[1].startswith("Rail officials in Khabarovsk said on Monday")


@pytest.mark.parametrize(
    "first",
    [
        "SEOUL, Feb. 27 (Yonhap) -- ",
        "MOSCOW (AP) \u2014 ",
        "Pyongyang, April 2 (KCNA) -- ",
        "MOSCOW, December 4. /TASS/. ",
        "KYIV/SEOUL, Nov. 5 -- ",
        "SEOUL -- ",
    ],
)
def test_datelines_and_tags_are_stripped(first: str) -> None:
    raw = (
        "(LEAD) Russia and North Korea exchange treaty ratification papers\n"
        "Updated 2024-12-04 10:55\n\n"
        f"{first}The treaty between the two countries entered into force on Wednesday, officials said. -0-\n"
    )
    assert extract_article(raw) == [
        "Russia and North Korea exchange treaty ratification papers",
        "The treaty between the two countries entered into force on Wednesday, officials said.",
    ]


def test_readers_comments_after_article_are_dropped() -> None:
    raw = (
        "Kim sends more troops to Russia, Seoul says\nBy Park Min-seo\n\n"
        "North Korea has sent more soldiers to Russia's Kursk region, "
        "South Korea's spy agency said on Monday.\n"
        "43 comments\nkyiv_watcher\nReply \u00b7 2h\nIf true this changes everything for the war.\n"
    )
    assert extract_article(raw) == [
        "Kim sends more troops to Russia, Seoul says",
        "North Korea has sent more soldiers to Russia's Kursk region, "
        "South Korea's spy agency said on Monday.",
    ]


# ---------------------------------------------------------------- HTML

_HTML = """<!DOCTYPE html><html><head><title>Kim visits Vostochny spaceport | Example Post</title>
<meta property="og:title" content="Kim visits Vostochny spaceport for talks with Putin">
<script>var x = "Skip this script text.";</script><style>p{color:red}</style></head>
<body><header><nav><a href="/">Home</a> <a href="/world">World</a>
<a href="/nk">North Korea</a></nav></header>
<main><article><h1>Kim visits Vostochny spaceport for talks with Putin</h1>
<p class="byline">By Anna Volkova (avolkova@example.org)</p><p>Views 1,234</p>
<figure><img src="a.jpg">
<figcaption>Kim and Putin at the launch pad. (Pool Photo via EP)</figcaption></figure>
<p>North Korean leader Kim Jong Un met Russian President Vladimir Putin at the Vostochny Cosmodrome
on Wednesday, in a summit that U.S. officials had warned could lead to an arms deal.</p>
<p>Asked whether Russia would help build satellites, Putin said: "That is why we came here."
The two leaders then toured the launch facilities for about an hour.</p>
<div>Kim arrived on his armored train after a journey of more than 1,000 kilometers.<br><br>
Gen. Park Jeong-hoon, a retired commander, said the venue was a message in itself.<br></div>
<div class="share"><a>Share it on Facebook</a> <a>Share it on Twitter</a></div>
<section class="comments"><h3>Comments (2)</h3>
<p>This is how it starts. Mark my words, everyone.</p></section>
</article>
<aside><h2>Popular Now</h2><ul><li><a>Doomsday plane spotted as Putin issues new threat</a></li>
<li><a>Heat wave warning issued for the capital</a></li></ul></aside></main>
<footer><p>Copyright &copy; 2023 Example Post. All rights reserved.</p></footer></body></html>"""


def test_html_detection() -> None:
    assert looks_like_html(_HTML)
    assert not looks_like_html("Kim met Putin.\nThey talked <about> rockets.")


def test_html_with_nav_footer_related_lists() -> None:
    assert extract_article(_HTML) == [
        "Kim visits Vostochny spaceport for talks with Putin",
        "North Korean leader Kim Jong Un met Russian President Vladimir Putin at the Vostochny Cosmodrome "
        "on Wednesday, in a summit that U.S. officials had warned could lead to an arms deal.",
        'Asked whether Russia would help build satellites, Putin said: "That is why we came here."',
        "The two leaders then toured the launch facilities for about an hour.",
        "Kim arrived on his armored train after a journey of more than 1,000 kilometers.",
        "Gen. Park Jeong-hoon, a retired commander, said the venue was a message in itself.",
    ]


def test_a_frameset_saved_with_its_frames_is_read_from_the_frames() -> None:
    """A saved frameset is several documents in one file; the first holds only the no-frames notice and the
    site's <title>. The article frame's body and headline must be read, not the notice."""
    frameset = ("<html><head><title>Steppe Rail Gazette - news from the rails</title></head>"
                '<frameset cols="170,*"><frame src="menu.htm"><frame src="story.htm"><noframes><body>'
                "<p>This page uses frames, but your browser doesn't support them.</p></body></noframes>"
                "</frameset></html>\n<!-- frame main -->\n")
    out = extract_article(frameset + _HTML)
    assert out == extract_article(_HTML)
    assert not any("frames" in line for line in out)


def test_a_markdown_clipping_is_read_as_its_rendered_page() -> None:
    """Front matter, heading marks, link targets, emphasis and highlights never reach the sentences."""
    raw = "\n".join([
        "---", 'title: "Tumen bridge talks resume"', "tags:", '  - "dprk"', "---", "",
        "- [World](https://example.org/world/)", "- [Asia](https://example.org/asia/)", "",
        "# Tumen bridge talks resume", "",
        "Officials from both sides met in [Khasan](https://example.org/tag/khasan) on Tuesday, the",
        "**Russian** transport ministry said.", "",
        "## What comes next", "",
        "> \"The bridge will open a new chapter,\" one of them said.", "",
        "- ==Officials from both sides met in Khasan on Tuesday, the Russian transport ministry said.==",
    ])
    out = extract_article(raw)
    assert out[0] == "Tumen bridge talks resume"
    assert "Officials from both sides met in Khasan on Tuesday, the Russian transport ministry said." in out
    assert "What comes next" in out and '"The bridge will open a new chapter," one of them said.' in out
    assert not any(mark in line for line in out for mark in ("](", "**", "==", "# ", "title:"))
    assert extract_article(raw, is_html=False) != out  # forced plain text is read as written


def test_pandoc_markdown_loses_its_attributes_spans_and_footnotes() -> None:
    raw = "\n".join([
        "[DRAFT v3 -- NOT FOR CIRCULATION]{.mark}", "", "[]{#_Toc1 .anchor}", "",
        "# Eighteen months of Article 4", "", "[]{#_Toc2 .anchor}", "", "## The clause itself", "",
        "The text borrows its structure from the 1961 treaty between the Soviet", "Union and the DPRK.[^1] What is new",
        "is the reference to Article 51 of the U.N. Charter.", "",
        "[^1]: Treaty of Friendship, Cooperation and Mutual Assistance between", "    the USSR and the DPRK, 1961.",
    ])
    out = extract_article(raw)
    assert out[:2] == ["Eighteen months of Article 4", "The clause itself"]
    assert "The text borrows its structure from the 1961 treaty between the Soviet Union and the DPRK." in out
    assert "What is new is the reference to Article 51 of the U.N. Charter." in out
    assert not any("{" in line or "[^" in line or "USSR" in line for line in out)


def test_a_latex_source_is_read_from_its_rendered_body() -> None:
    raw = "\n".join([
        r"\documentclass[11pt]{article}", r"\usepackage{graphicx} % figures", r"\newcommand{\deck}[1]{\par #1}",
        r"\title{Reading Article~4}", r"\author{Mirela St\u{a}nescu\thanks{Senior Fellow.}}",
        r"\begin{document}", r"\maketitle", "",
        r"When Putin and Kim signed the treaty on June~19, 2024, most of the attention",
        r"went to Article~4.\footnote{Text as carried by KCNA. See \cite{kcna2024}.}", "",
        r"\begin{figure}[h]\includegraphics{a.jpg}\caption{Kim and Putin sign the treaty.}\end{figure}", "",
        r"\section{An old formula revived}", "",
        r"``The 2024 text restores a commitment,'' said Dr.~Elena Varga---a historian. % TODO check",
        r"\end{document}",
    ])
    out = extract_article(raw)
    assert out[0] == "Reading Article 4"
    assert "When Putin and Kim signed the treaty on June 19, 2024, most of the attention went to Article 4." in out
    assert '"The 2024 text restores a commitment," said Dr. Elena Varga\u2014a historian.' in out
    assert "An old formula revived" in out
    assert not any("\\" in line or "KCNA" in line or "sign the treaty." in line or "TODO" in line for line in out)


def test_mediawiki_source_is_read_without_its_markup_and_interface() -> None:
    raw = "\n".join([
        "Main Page", "Recent changes", "", "View source for Road bridge work begins on the Tumen", "",
        "You can view and copy the source of this page:", "", "{{date|April 30, 2025}}",
        "[[File:Bridge.jpg|thumb|The rail bridge seen from Khasan in 2019.]]",
        "'''[[w:North Korea|North Korea]]''' and '''[[w:Russia|Russia]]''' began building a road bridge on"
        " Wednesday.<ref name=\"tass\" /> It will span the [[Tumen River]].{{OR}}", "",
        "Until now the only fixed crossing on the frontier has been a single-track rail bridge opened in 1959, and"
        " officials said the new bridge should take about a year and a half to build.", "",
        "== Background ==", "The project was agreed in [[w:Pyongyang|Pyongyang]] in June 2024.<ref>KCNA.</ref>"
        " Road traffic between the two countries currently has to travel through [[w:China|China]], or goods have"
        " to be loaded onto rail wagons at the border.", "",
        "Return to Road bridge work begins on the Tumen.",
    ])
    out = extract_article(raw)
    assert out[0] == "Road bridge work begins on the Tumen" and "Background" in out
    text = " ".join(out)  # the first paragraph sits in the deck slot, where the classifier keeps a line whole
    assert "North Korea and Russia began building a road bridge on Wednesday. It will span the Tumen River." in text
    assert "The project was agreed in Pyongyang in June 2024." in out
    assert not any(mark in line for line in out for mark in ("[[", "{{", "<ref", "Khasan", "Return to", "'''"))


def test_a_gemtext_capsule_is_read_line_by_line_with_its_links_as_links() -> None:
    raw = "\n".join([
        "=> / Home", "=> /archive/ Archive", "",
        "# Moscow to Pyongyang by train again",
        "## How the route works",
        "The through car crosses Siberia attached to regular Russian trains, officials said.",
        "It then runs south to Khasan and crosses the Tumen River on the Friendship Bridge.",
        "=> /img/khasan.jpg The through car waits at Khasan station on June 19.", "",
        "=> /2025/05/bridge.gmi A road bridge over the Tumen", "=> / Back to the archive",
    ])
    out = extract_article(raw)
    assert out[:2] == ["Moscow to Pyongyang by train again", "How the route works"]
    assert "It then runs south to Khasan and crosses the Tumen River on the Friendship Bridge." in out
    assert not any("=>" in line or "#" in line for line in out)


def test_a_webvtt_caption_file_is_read_as_the_spoken_sentences() -> None:
    """Cues cut every sentence; voice tags, timings, sound cues, name straps and NOTE/STYLE blocks are not text."""
    vtt = "\n".join([
        "WEBVTT", "Kind: captions", "", "NOTE", "Title: The shell pipeline to Russia", "Publisher: Meridian", "",
        "STYLE", "::cue(.lt) { color: #ffd400; }", "",
        "1", "00:00:00.000 --> 00:00:03.240 align:center", "[UPBEAT MUSIC]", "",
        "2", "00:00:03.400 --> 00:00:07.880", "<v Narrator>Since the late summer of 2023,", "cargo ships have been", "",
        "3", "00:00:07.880 --> 00:00:11.960", "<v Narrator>shuttling between Rajin and a Russian port.", "",
        "4", "00:00:12.000 --> 00:00:15.000 line:80%", "<c.lt>OH JAE-SUN", "Former analyst</c>", "",
        "5", "00:00:12.100 --> 00:00:16.300", "<v Oh Jae-sun>The numbers are rough, because nobody", "",
        "6", "00:00:16.300 --> 00:00:19.020", "<v Oh Jae-sun>can see inside a sealed container.", "",
    ])
    out = extract_article(vtt)
    assert out[0] == "The shell pipeline to Russia"
    assert "Since the late summer of 2023, cargo ships have been shuttling between Rajin and a Russian port." in out
    assert "The numbers are rough, because nobody can see inside a sealed container." in out
    assert not any("-->" in line or "<" in line or "MUSIC" in line for line in out)


def test_html_forced_as_text_and_bytes_input() -> None:
    out = extract_article(_HTML.encode("utf-8"), is_html=True)
    assert out[0] == "Kim visits Vostochny spaceport for talks with Putin"


# ---------------------------------------------------------------- fixtures


def test_trafilatura_is_importable() -> None:
    """The HTML path is built on trafilatura; its lxml fallback is weaker.

    jusText (a trafilatura dependency) needs lxml_html_clean since lxml 5.2:
    ``pip install lxml_html_clean`` if this fails.
    """
    import trafilatura  # noqa: F401


def test_fixture_goals() -> None:
    """The issue's goals over the fixtures in data/raw itself (in-sample; each held-out round is a figure, not a
    test: README "Raw articles")."""
    report = evaluate_dir(RAW_DIR, rounds=False)
    totals = report["totals"]["all"]
    assert totals["fixtures"] >= 18
    assert report["totals"]["heldout"]["fixtures"] >= 4
    failing = {
        r["name"]: (r["missing"], r["extra"]) for r in report["fixtures"] if r["missing"] or r["extra"]
    }
    assert totals["recall"] >= 0.95, failing
    assert totals["debris_rate"] <= 0.02, failing


def test_evaluate_dir_scores_each_held_out_round_on_its_own(tmp_path):
    (tmp_path / "a.txt").write_text("The leaders met in Moscow on Tuesday.\n")
    (tmp_path / "a.expected.txt").write_text("The leaders met in Moscow on Tuesday.\n")
    later = tmp_path / "heldout_r9"
    later.mkdir()
    (later / "b.txt").write_text("The envoy arrived in Pyongyang on Friday.\n")
    (later / "b.expected.txt").write_text("The envoy arrived in Pyongyang on Friday.\nA sentence it cannot find.\n")
    report = evaluate_dir(tmp_path)
    assert report["totals"]["all"]["fixtures"] == 1 and report["totals"]["all"]["recall"] == 1.0  # not pooled
    assert report["rounds"]["heldout_r9"]["totals"]["recall"] == 0.5


def test_a_lone_two_sentence_line_is_split_not_kept_as_a_deck() -> None:
    """A deck stays one line only under a headline: a pasted two-sentence snippet is two sentences."""
    assert extract_article("The leaders met. They signed a treaty.") == ["The leaders met.", "They signed a treaty."]


def test_each_quoted_sentence_gets_its_own_line() -> None:
    text = ('"We watched the trains for a year. Nobody in the ministry believed us," the analyst said. '
            '"Gen. Kim arrived at 6 p.m. Sunday," she said.')
    assert split_sentences(text) == [
        '"We watched the trains for a year.',
        'Nobody in the ministry believed us," the analyst said.',
        '"Gen. Kim arrived at 6 p.m. Sunday," she said.',
    ]


def test_a_quotation_that_ends_a_sentence_and_one_that_opens_the_next_are_split() -> None:
    text = ('She said the switch was "a strong hint, not a smoking gun." "Changing propellants is a choice '
            'you make when someone has shown you the way," she said.')
    assert split_sentences(text) == [
        'She said the switch was "a strong hint, not a smoking gun."',
        '"Changing propellants is a choice you make when someone has shown you the way," she said.',
    ]
    assert len(split_sentences('The order was "wait for the U.S." "Then go" came later.')) == 1  # "U.S." ends nothing


def test_live_blog_entries_marked_up_as_list_items_stay_apart() -> None:
    """Entries in <li> (time, title, paragraphs) are sections: title and text are separate lines."""
    entries = "".join(
        f'<li class="entry"><div class="time">{h} hr ago</div><h2>{title}</h2><p>{body}</p></li>'
        for h, title, body in [
            (1, "Cargo ship leaves Rajin", "A Russian-flagged cargo ship left the port of Rajin on Tuesday "
             "morning, according to satellite images reviewed by analysts in Seoul."),
            (3, "Seoul summons ambassador", "South Korea's foreign ministry summoned the Russian ambassador "
             "on Tuesday to protest against what it called a breach of Security Council resolutions."),
        ]
    )
    page = (f"<html><head><title>Live: ships and sanctions</title></head><body><article>"
            f"<h1>Live: ships and sanctions</h1><ol class=\"feed\">{entries}</ol></article></body></html>")
    out = extract_article(page)
    assert "Cargo ship leaves Rajin" in out and "Seoul summons ambassador" in out
    assert any(s.startswith("A Russian-flagged cargo ship left the port of Rajin") for s in out)


_BODY_HTML = (
    "<p>Engineers on both banks of the Tumen River poured the last pier of the new road bridge on Monday, "
    "the Russian transport ministry said, keeping the project on course for an opening next year.</p>"
    "<p>The crossing would be the first road link between Russia and North Korea, whose trade now moves "
    "by sea or over a single-track rail bridge built in 1959.</p>"
    "<p>Officials in Seoul said they were watching the project closely and warned that sanctions still "
    "bar most of the goods that might cross it.</p>"
)


def _header_page(label: str) -> str:
    return ("<html><head><title>Bridge piers finished | Border Weekly</title></head><body><article><header>"
            f"{label}<h1>Last pier poured on the Tumen road bridge</h1></header>{_BODY_HTML}</article></body></html>")


def test_a_kicker_named_by_the_markup_is_kept_after_the_headline() -> None:
    """The element before the <h1> is a kicker when its class says so; a section label in that slot is not."""
    out = extract_article(_header_page('<p class="story-kicker">Bridges over the border</p>'))
    assert out[:2] == ["Last pier poured on the Tumen road bridge", "Bridges over the border"]
    assert "Analysis" not in extract_article(_header_page('<span class="story__label">Analysis</span>'))
    assert "World" not in extract_article(_header_page('<p class="kicker"><a href="/world">World</a></p>'))


def test_a_title_that_prints_the_h1_with_a_prefix_gives_way_to_the_h1() -> None:
    live = "LIVE: Last pier poured on the Tumen road bridge"
    page = _header_page("").replace("<title>Bridge piers finished | Border Weekly</title>",
                                    f'<title>{live} | Border Weekly</title><meta property="og:title" content="{live}">')
    out = extract_article(page)
    assert out[0] == "Last pier poured on the Tumen road bridge"
    assert not any(line.startswith("LIVE") for line in out)


def test_a_title_that_rearranges_the_h1_gives_way_to_the_h1() -> None:
    h1 = "North Korea–Russia Relations, 2023–2025: A Research Guide"
    page = (f"<html><head><title>Research Guides: North Korea–Russia Relations, 2023–2025: Overview</title></head>"
            f"<body><h1>{h1}</h1>{_BODY_HTML}</body></html>")
    assert extract_article(page)[0] == h1
    assert _shared("Halvorsen University Libraries", "Research Guides: North Korea–Russia Relations: Overview") == 0


def test_a_glossary_tooltip_is_not_read_into_its_sentence() -> None:
    tooltip = ('<span class="term">road bridge<span role="tooltip"><b>road bridge</b> A crossing for cars '
               "and trucks, not trains.</span></span>")
    page = _header_page("").replace("first road link", f"first {tooltip} link", 1)
    out = extract_article(page)
    assert any(line.startswith("The crossing would be the first road bridge link between Russia") for line in out)
    assert not any("not trains" in line for line in out)


def test_live_blog_entries_with_a_permalink_row_are_all_kept() -> None:
    """A "Link to this post" row under each entry made trafilatura drop three of the five entries."""
    page = RAW_DIR / "heldout_r12" / "r10c_07_tonga_news.html"
    out = extract_article(page.read_text(encoding="utf-8"))
    for start in ("Kim Jong Un's motorcade left", "At a banquet after the talks", "Asked by reporters whether",
                  "The two leaders shook hands", "Kim's armored train crossed"):
        assert any(line.startswith(start) for line in out), start
    assert "Link to this post" not in out


def test_a_share_row_named_in_bem_style_is_dropped_like_any_share_row() -> None:
    """'live-post__share' is a share row as much as 'share-strip' is: left in, it made trafilatura drop an entry."""
    page = RAW_DIR / "heldout_r14" / "r12a_07_st_lucia_news.html"
    out = extract_article(page.read_text(encoding="utf-8"))
    assert "Guyana, the only Caribbean member of the council this year, voted in favour of the renewal." in out
    assert "Share this post" not in out
    tree = _html_tree('<div><p>Text.</p><div class="post__share"><a href="#p4">Share</a></div>'
                      '<div class="shareholder-notes">Notes on shareholders.</div></div>')
    assert tree.xpath("//div[@class='post__share']") == [] and tree.xpath("//div[@class='shareholder-notes']")
    # an entry's foot row of in-page links ("Link to this post") is the same furniture, whatever its class
    tree = _html_tree('<div><p>Text.</p><div class="entry__foot"><span>Lee Da-eun</span><a href="#e-0701">Link '
                      'to this post</a><a href="#">Share</a></div><div class="more"><a href="/n">Next</a></div></div>')
    assert tree.xpath("//div[@class='entry__foot']") == [] and tree.xpath("//div[@class='more']")


def test_a_related_article_box_inside_a_live_blog_entry_does_not_lose_the_entry() -> None:
    page = RAW_DIR / "heldout_r3" / "r1a_01_cable_liveblog.html"
    out = extract_article(page.read_text(encoding="utf-8"))
    assert any(line.startswith("Putin, for his part, thanked Kim for what he called") for line in out)
    assert not any("Why Putin's trip to North Korea matters" in line for line in out)
    tree = _html_tree('<div><p>Text of the story.</p><div class="related-content"><span>Related</span>'
                      '<a href="/x">Why it matters</a></div><div class="related"><p>A paragraph.</p></div></div>')
    assert tree.xpath("//div[@class='related-content']") == [] and tree.xpath("//div[@class='related']")


def test_a_summary_box_marked_as_ai_written_is_dropped_whole() -> None:
    box = ('<section class="summary"><h2>Key takeaways</h2><ul><li>Russia could help North Korea with missile '
           "guidance technology.</li><li>A 2024 treaty pledges mutual aid.</li></ul>"
           "<p>This summary is AI-generated and in beta.</p></section>")
    page = _header_page("").replace("</h1>", f"</h1>{box}")
    out = extract_article(page)
    assert not [line for line in out if "guidance technology" in line or "Key takeaways" in line or "beta" in line]
    assert any(line.startswith("The crossing would be the first road") for line in out)
    tree = _html_tree(f"<html><body><h1>Title</h1><div>{box.replace('AI-generated', 'edited')}</div></body></html>")
    assert tree.xpath("//section")  # an unmarked "Key takeaways" list is article text


def test_a_plain_text_summary_box_marked_as_ai_written_is_dropped_whole() -> None:
    from framing.ingest.lines import _ai_summary_lines

    pars = ["Headline over the box", "Summary", "• The conference showed the war is a European matter.",
            "• The editors urge the EU to fund monitoring.", "This summary is AI-generated and in beta.",
            "For years, European governments treated North Korea as a problem for Washington and Seoul."]
    assert _ai_summary_lines(pars) == {1, 2, 3, 4}
    assert _ai_summary_lines([p.replace("AI-generated", "edited") for p in pars]) == set()
    tv = ["Here's what to know", "Russia and North Korea signed a partnership.", "The visit was his first in 24 years.",
          "This summary was generated with the help of AI and reviewed by a journalist."]
    assert _ai_summary_lines(tv) == {0, 1, 2, 3}
    # the note right under the title, the bullets down to the box's feedback question and its "Yes No"
    top = ["Key points", "This summary is AI-generated and in beta. Please read the full article.",
           "A shipowner proposed voyages to Rajin.", "Experts point to short ice windows.",
           "Was this summary helpful?", "Yes  No", pars[-1]]
    assert _ai_summary_lines(top) == {0, 1, 2, 3, 4, 5}
    assert _ai_summary_lines(top[:4] + top[-1:]) == {0, 1}  # no feedback line: the box's end is unknown, bullets stay


def test_a_deck_under_a_plain_text_headline_stays_one_line_when_the_headline_line_reads_as_article() -> None:
    """The deck slot runs from the headline to the first article line under it: the headline's own line, or a
    tagline above it, labeled article must not close the slot (a children's magazine page of round 19)."""
    page = RAW_DIR / "heldout_r19" / "r17c_08_children_news_magazine.txt"
    out = extract_article(page.read_text(encoding="utf-8"))
    deck = ("Thousands of troops from one of the world's most secretive countries have been sent to help Russia "
            "in its war. Here's what's going on.")
    assert out[0] == "Why Are North Korean Soldiers Fighting for Russia?" and deck in out


def test_a_pdf_converted_to_html_is_read_line_by_line() -> None:
    """pdf2htmlEX prints every line as its own positioned <div>: read as a hard-wrapped page, every page's text
    comes back, and a sentence wrapped over two lines is one sentence."""
    page = RAW_DIR / "heldout_r13" / "r11d_08_pdf_converted_html.html"
    out = extract_article(page.read_text(encoding="utf-8"))
    assert ("North Korea has likely shipped between 9 million and 12 million artillery rounds to Russia since "
            "August 2023, carried in well over 20,000 containers.") in out
    assert any(line.startswith("Deliveries accelerated after the Vostochny summit") for line in out)
    lines = "".join(f'<div class="t">Line {i} of a printed page, which wraps</div>' for i in range(25))
    assert _line_layout_text(_html_tree(f"<html><body>{lines}</body></html>")) is not None
    paragraphs = "".join(f"<p>Paragraph {i} of an ordinary page.</p>" for i in range(25))
    assert _line_layout_text(_html_tree(f"<html><body>{paragraphs}</body></html>")) is None


def test_a_page_saved_as_mhtml_is_read_from_its_decoded_html_part() -> None:
    html = _header_page("")
    encoded = quopri.encodestring(html.encode("utf-8")).decode("ascii")
    mhtml = ("From: <Saved by Blink>\nMIME-Version: 1.0\nContent-Type: multipart/related;\n\ttype=\"text/html\";\n"
             "\tboundary=\"XYZ\"\n\n--XYZ\nContent-Type: text/html\nContent-Transfer-Encoding: quoted-printable\n\n"
             f"{encoded}\n--XYZ\nContent-Type: text/css\n\nbody {{ color: black; }}\n--XYZ--\n")
    assert looks_like_mime(mhtml) and not looks_like_mime(html)
    assert extract_article(mhtml) == extract_article(html)


def test_an_email_is_read_from_its_decoded_html_part_else_its_plain_part() -> None:
    """An mbox message (a "From " line, headers, multipart/alternative) in quoted-printable, whose soft breaks
    split words and whose curly quotes are "=E2=80=9C" bytes: read from the HTML part; a plain-text-only
    message from its plain part. A plain e-mail pasted without MIME headers is left to the text path."""
    html = _header_page("")
    text = "\n\n".join(extract_article(html))
    encoded = quopri.encodestring(html.encode("utf-8")).decode("ascii")
    plain = quopri.encodestring(text.encode("utf-8")).decode("ascii")
    headers = ("From newsletter@example.org Mon Jun 24 07:00:00 2024\nFrom: The Desk <newsletter@example.org>\n"
               "To: reader@example.com\nSubject: Morning brief\nMIME-Version: 1.0\n")
    mail = (headers + 'Content-Type: multipart/alternative; boundary="B1"\n\n--B1\nContent-Type: text/plain; '
            'charset="utf-8"\nContent-Transfer-Encoding: quoted-printable\n\n' + plain + "\n--B1\nContent-Type: "
            'text/html; charset="utf-8"\nContent-Transfer-Encoding: quoted-printable\n\n' + encoded + "\n--B1--\n")
    assert "=\n" in encoded and looks_like_mime(mail)
    assert extract_article(mail) == extract_article(html)
    only_plain = headers + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
    assert extract_article(only_plain + plain) == extract_article(text)
    assert not looks_like_mime("From: The Desk\nSent: Monday\nTo: Team\nSubject: FW: brief\n\n" + text)


def test_a_word_processor_html_page_keeps_its_list_items_and_flows_its_wrapped_source() -> None:
    """Word's "Save as HTML": bullets inside <![if !supportLists]> ... <![endif]>, source lines wrapped at 80
    columns inside paragraphs, comment anchors "[IS1]"."""
    item = ("<p class=MsoListParagraph><![if !supportLists]><span style='mso-list:Ignore'>·"
            "<span>&nbsp;&nbsp; </span></span><![endif]>North Korea's compensation comes mainly in forms\n"
            "that are hard to observe.<o:p></o:p></p>")
    page = _header_page("").replace("</h1>", f"</h1><h2>Key judgements</h2>{item}")
    out = extract_article(page)
    assert "North Korea's compensation comes mainly in forms that are hard to observe." in out
    assert _clean_paragraph("[IS1] Grain shipments were reported.[KJ2] Their scale is unclear.") == (
        "Grain shipments were reported. Their scale is unclear.")
    assert _html_tree("<div><div>Ad</div>\nNext paragraph.</div>").xpath("//div/div")[0].tail == "\nNext paragraph."


_LEDE = "Thousands of North Korean soldiers were sent to the Kursk region in the autumn of 2024, officials said."


def test_an_fb2_ebook_is_read_from_its_body_with_titles_as_headings() -> None:
    book = ('<?xml version="1.0" encoding="UTF-8"?><FictionBook xmlns="http://www.gribuser.ru/xml/fictionbook/2.0">'
            "<description><title-info><book-title>Far From Home</book-title><annotation><p>A long read.</p>"
            "</annotation></title-info></description><body><section><title><p>Far From Home, in Kursk</p></title>"
            f"<p>{_LEDE}</p><subtitle>From denial to medals</subtitle><p>Moscow later gave them medals.</p>"
            "</section></body>"
            "<binary id='c.jpg'>AAAA</binary></FictionBook>")
    out = extract_article(book)
    assert out[0] == "Far From Home, in Kursk" and "From denial to medals" in out
    assert _LEDE in out and "A long read." not in out


_BODY2 = "Moscow later gave them medals, and the Kremlin said the deployment was lawful under Article 4 of the treaty."


def test_newsml_g2_and_nitf_wire_copy_are_read_from_the_story_item() -> None:
    """A NewsML-G2 message: the picture item's headline and caption, the slugline, summary bullets, keywords and
    the "short" headline are not the story; the text item's main headline (its "UPDATE 2-" tag off) and XHTML
    body are. NITF: hl1, hl2 and body.content."""
    g2 = ('<?xml version="1.0"?><newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><itemSet>'
          "<newsItem><contentMeta><headline>File photo of soldiers at a parade</headline><description role="
          '"drol:caption">Soldiers march during a parade in Pyongyang.</description></contentMeta><contentSet>'
          '<remoteContent href="x.jpg"/></contentSet></newsItem><newsItem><contentMeta><slugline>KOREA-RUSSIA/TROOPS'
          "</slugline><headline>UPDATE 2-Far from home, North Korean troops in Kursk</headline>"
          '<headline role="hlrole:short">N.Korean troops in Kursk</headline><description role="drol:summary">'
          "* Troops in Kursk (NEW)</description><keyword>KURSK</keyword></contentMeta><contentSet>"
          '<inlineXML contenttype="application/xhtml+xml"><html xmlns="http://www.w3.org/1999/xhtml"><body>'
          f"<p>{_LEDE}</p><p>{_BODY2}</p></body></html></inlineXML></contentSet></newsItem></itemSet></newsMessage>")
    assert extract_article(g2) == ["Far from home, North Korean troops in Kursk", _LEDE, _BODY2]
    nitf = ("<nitf><head><title>KOREA-RUSSIA</title></head><body><body.head><hedline><hl1>Far from home, in Kursk"
            "</hl1><hl2>The troops Moscow would not name</hl2></hedline></body.head><body.content>"
            f"<p>{_LEDE}</p><p>{_BODY2}</p></body.content></body></nitf>")
    assert extract_article(nitf) == ["Far from home, in Kursk", "The troops Moscow would not name", _LEDE, _BODY2]


def test_a_json_story_from_a_content_api_is_read_from_its_headline_and_body() -> None:
    """ninjs 2 (headlines and bodies by role, a picture nested in associations), ninjs 1 (body_text) and a
    WordPress REST post ({"rendered": ...}): the API wrapper, SEO headline, summary and caption are not the text."""
    ninjs = {"status": 200, "data": {"item": {
        "headlines": [{"role": "main", "value": "Far from home, in Kursk"},
                      {"role": "seo", "value": "North Korean troops in Kursk | Example News"}],
        "descriptions": [{"role": "summary", "value": "Soldiers were sent."}],
        "bodies": [{"role": "main", "contenttype": "text/html", "value": f"<p>{_LEDE}</p><p>{_BODY2}</p>"}],
        "associations": {"featureimage": {"headlines": [{"role": "main", "value": "Parade photo"}],
                                          "descriptions": [{"role": "caption", "value": "Soldiers march."}]}}}}}
    assert extract_article(json.dumps(ninjs)) == ["Far from home, in Kursk", _LEDE, _BODY2]
    old = {"headline": "Far from home, in Kursk", "body_text": f"{_LEDE}\n{_BODY2}", "keywords": ["Kursk"]}
    assert extract_article(json.dumps(old)) == ["Far from home, in Kursk", _LEDE, _BODY2]
    wordpress = [{"title": {"rendered": "Far from home, in Kursk"}, "excerpt": {"rendered": "<p>Soldiers.</p>"},
                  "content": {"rendered": f"<p>{_LEDE}</p>\n<p>{_BODY2}</p>"}}]
    assert extract_article(json.dumps(wordpress)) == ["Far from home, in Kursk", _LEDE, _BODY2]


def test_an_rss_feed_is_read_from_its_item_with_its_title_as_headline() -> None:
    """The channel's <title> is not the headline; the item's body is escaped HTML; WordPress signs it."""
    feed = ('<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
            "<channel><title>Opinion &#8211; The Herald</title><item><title>[Editorial] Far from home, in Kursk</title>"
            "<description><![CDATA[Thousands of North Korean soldiers [&#8230;]]]></description><content:encoded>"
            f"<![CDATA[<p>{_LEDE}</p><p>{_BODY2}</p><p>The post <a href='x'>Far from home</a> appeared first on "
            "<a href='y'>The Herald</a>.</p>]]></content:encoded></item>"
            "<item><title>Another story</title><description>Only a teaser.</description></item></channel></rss>")
    out = extract_article(feed)
    assert out == ["Far from home, in Kursk", _LEDE, _BODY2]


def test_an_atom_entry_with_inline_xhtml_is_read() -> None:
    feed = ('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>The Ledger</title><entry>'
            "<title>Far from home, in Kursk</title><author><name>Priya N.</name></author>"
            '<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
            f"<p>{_LEDE}</p><p>{_BODY2}</p></div></content></entry></feed>")
    assert extract_article(feed) == ["Far from home, in Kursk", _LEDE, _BODY2]


def test_a_raw_wire_feeds_codes_quotes_and_dateline_are_read() -> None:
    """ANPA-style: control characters around the story, "^...<" format codes, ``quotes'' and "_" as the dash."""
    story = ("\x01\na0619  r i BC-AS-Koreas-Russia  02-27 0683\n\x02^Far from home, in Kursk<\n"
             "   SEOUL, South Korea (NXP) _ Thousands of North Korean soldiers were sent to the Kursk region in the "
             "autumn of 2024, officials said.\n"
             "   ``Every launch is a free test flight,'' said Dr. Rachel Imbert, a missile researcher in Paris.\n"
             "\x03\n")
    out = extract_article(story)
    assert "Far from home, in Kursk" in out and _LEDE in out
    assert '"Every launch is a free test flight," said Dr. Rachel Imbert, a missile researcher in Paris.' in out
    assert not any("\x02" in s or "^" in s for s in out)


def test_a_headings_permalink_mark_is_not_read_into_it() -> None:
    """Sphinx and notebook pages end each heading with an in-page link "¶"."""
    page = _header_page("").replace("</h1>", '<a class="headerlink" href="#last-pier">¶</a></h1>'
                                    '<h2>Two piers to go<a href="#two">¶</a></h2>')
    out = extract_article(page)
    assert out[0] == "Last pier poured on the Tumen road bridge" and "Two piers to go" in out


def test_a_social_title_cut_short_gives_way_to_the_whole_h1_and_a_preview_class_marks_a_deck() -> None:
    h1 = "Can the new bridge carry trains? Border towns are sceptical"
    deck = "Freight forwarders in Khasan say a road link could shave days off some cargo routes"
    page = (_header_page("").replace("<h1>Last pier poured on the Tumen road bridge</h1>", f"<h1>{h1}</h1>"
                                     f'<div class="news-detail__preview">{deck}</div>')
            .replace("</title>", '</title><meta property="og:title" content="Can the new bridge carry trains?">'))
    out = extract_article(page)
    assert out[:2] == [h1, deck]


def test_a_footnotes_superscript_link_is_not_glued_to_the_sentence() -> None:
    body = ("<p>Russian group tours restarted in February 2024, mostly to Masikryong."
            "<sup><a href='#fn1'>1)</a></sup></p>")
    page = _header_page("").replace("</h1>", "</h1>" + body)
    out = extract_article(page)
    assert "Russian group tours restarted in February 2024, mostly to Masikryong." in out
    assert _html_tree("<p>10<sup>3</sup> tonnes</p>").xpath("//sup")  # a superscript that is no link stays


def test_a_two_sentence_deck_from_the_markup_stays_one_line() -> None:
    deck = "The piers are finished. The deck is next."
    page = _header_page("").replace("</h1>", f'</h1><p class="standfirst">{deck}</p>')
    assert deck in extract_article(page)


@pytest.mark.parametrize("line", ["WHEAT AND FLOUR: VOLUMES UP, PRICES FIRM",
                                  "WATCHDOG DOWN: How Russia's Veto Left the Sanctions Without a Referee"])
def test_an_all_caps_lead_in_of_a_heading_is_not_a_dateline(line: str) -> None:
    assert _clean_paragraph(line) == line


def test_an_all_caps_telex_lead_loses_its_dateline() -> None:
    lead = ("KIM JONG UN AND VLADIMIR PUTIN HELD TALKS ON WEDNESDAY AT THE VOSTOCHNY COSMODROME IN RUSSIA'S FAR "
            "EAST, THEIR FIRST MEETING SINCE 2019.")
    assert _clean_paragraph(f"VOSTOCHNY COSMODROME, RUSSIA, SEPT. 13 (NPW) - {lead}") == lead


def test_datelines_with_accented_capitals_and_korean_reporter_tags_are_stripped() -> None:
    assert _clean_paragraph("TÓRSHAVN -- Faroese fishermen saw the crews.") == "Faroese fishermen saw the crews."
    for tag in ("[Hanbit Ilbo Reporter Jung Ha-eun] ", "[Seoul=Yonhap] "):
        assert _clean_paragraph(tag + "The bridge is half built.") == "The bridge is half built."


def test_a_text_browsers_link_numbers_are_dropped() -> None:
    assert _clean_paragraph("The [29]National Intelligence Service briefed [31]U.S. officials.") == (
        "The National Intelligence Service briefed U.S. officials.")
    assert _clean_paragraph("Resolution 2397 [1] set the cap.") == "Resolution 2397 [1] set the cap."


def test_a_short_wrapped_tail_that_looks_like_debris_joins_its_sentence() -> None:
    """ "1959." or "at late 2026." alone read as a number or a date line; after a full line they end it."""
    lines = [
        "For now, almost everything that moves between them goes by sea or over",
        "the Friendship Bridge, a single-track rail crossing that dates back to",
        "1959.",
        "",
        "- The opening date of the road bridge, which Russian officials have put",
        "  at late 2026.",
        "- Any increase in train services between Khasan and Rajin, which has",
        "  been promised for years by officials on both sides of the border.",
    ]
    pars = _paragraphs("\n".join(lines))
    assert pars[0].endswith("dates back to 1959.")
    assert pars[1] == "- The opening date of the road bridge, which Russian officials have put at late 2026."


def test_a_wrapped_body_under_a_long_one_item_per_line_menu_is_unwrapped() -> None:
    """A crude scrape: forty menu lines and a short wrapped story; the menu must not hide the wrap."""
    menu = [f"Section {i}" for i in range(40)]
    body = [
        "The federal government has added eight individuals and five companies",
        "to its sanctions list over their alleged role in shipping North",
        "Korean weapons to Russia, Global Affairs Canada said Tuesday.",
        "",
        "The measures target shipping firms, a Russian port operator and North",
        "Korean officials accused of arranging the transfer of artillery shells.",
    ]
    pars = _paragraphs("\n".join(menu + [""] + body))
    assert pars[40:] == [
        "The federal government has added eight individuals and five companies to its sanctions list over their "
        "alleged role in shipping North Korean weapons to Russia, Global Affairs Canada said Tuesday.",
        "The measures target shipping firms, a Russian port operator and North Korean officials accused of "
        "arranging the transfer of artillery shells.",
    ]
    pasted = menu + ["", " ".join(body[:3]), " ".join(body[4:]), "Short line under the width, not wrapped."]
    assert _paragraphs("\n".join(pasted))[40:] == pasted[41:]  # one paragraph per line: nothing joins


def test_a_transcript_time_code_before_a_sentence_is_taken_off() -> None:
    lines = ["[00:02:15] Let me be direct about what that meant.", "(01:12) Thank you.", "[00:03:12] MARA QUINN"]
    assert _paragraphs("\n\n".join(lines)) == ["Let me be direct about what that meant.", "Thank you.",
                                                "[00:03:12] MARA QUINN"]


def test_bold_marks_and_edit_tags_of_a_chat_export_are_not_text() -> None:
    lines = ["📰 **PWS** (2/3)", "**(LEAD) Satellite images show ships at Rajin**", "A 2 ** 3 grid stays.",
             "*Putin and Kim sign a treaty*", "_Article 4 obliges each side to help_", "It rose. (edited)"]
    assert _paragraphs("\n\n".join(lines)) == ["📰 PWS (2/3)", "(LEAD) Satellite images show ships at Rajin",
                                                "A 2 ** 3 grid stays.", "Putin and Kim sign a treaty",
                                                "Article 4 obliges each side to help", "It rose."]


def test_inline_tags_and_entities_of_a_raw_cms_dump_are_not_text() -> None:
    lines = ["<strong>Arms, food and technology</strong>", "&nbsp;", "Trade &amp; aid rose <em>sharply</em>."]
    assert _paragraphs("\n\n".join(lines)) == ["Arms, food and technology", "Trade & aid rose sharply."]


def test_a_caption_shortcode_wrapped_over_lines_is_dropped_whole() -> None:
    lines = [
        "Shipping to Russia's Far East? Five red flags our brokers",
        "are seeing in 2025",
        "",
        '[caption id="attachment_4412" width="800"]<img',
        'class="size-full" src="https://example.org/wp-content/',
        'uploads/containers.jpg" alt="Stacked containers at a',
        'port terminal" /> Containers wait at a terminal in Vladivostok. (Photo: Getty Images)[/caption]',
        "",
        "Freight forwarders have seen more requests for transshipment through Rajin this year.",
    ]
    assert _paragraphs("\n".join(lines)) == [
        "Shipping to Russia's Far East? Five red flags our brokers are seeing in 2025",
        "Freight forwarders have seen more requests for transshipment through Rajin this year.",
    ]


def test_a_forwarded_story_behind_quote_marks_is_read_without_them() -> None:
    """An e-mail forward: the story sits behind "> " (wrapped, with bare ">" blank lines, "> >" one level down);
    a reply's few quoted lines keep their marks."""
    mail = [
        "Dana -- see below.", "", "> After the Panel: who watches North Korea now?", ">",
        "> That record stopped growing on April 30, 2024, when the panel's", "> mandate expired after Russia vetoed",
        "> its renewal.", ">", "> > Thirteen members voted in favour.", ">", "> China abstained.", ">",
        "> Moscow's single vote was enough.",
    ]
    assert _paragraphs("\n".join(mail)) == [
        "Dana -- see below.", "After the Panel: who watches North Korea now?",
        "That record stopped growing on April 30, 2024, when the panel's mandate expired after Russia vetoed "
        "its renewal.",
        "Thirteen members voted in favour.", "China abstained.", "Moscow's single vote was enough.",
    ]
    reply = ["mika wrote:", "> Everyone keeps saying the launch proves Russian help.", "> Does it?", "",
             "Fair question, and it deserves more than a one-liner."]
    assert _paragraphs("\n".join(reply))[1:3] == reply[1:3]


def test_a_short_wrapped_tail_with_a_footnote_mark_is_joined() -> None:
    lines = ["The first practical use of the clause came in a setting few drafters seem to",
             "have anticipated, and it narrows the space for the long and patient nego-",
             "tiation.4", "", "Next paragraph."]
    assert _paragraphs("\n".join(lines * 3))[0].endswith("the space for the long and patient negotiation.4")


def test_a_page_break_inside_a_sentence_loses_its_page_number_and_running_head() -> None:
    head = "Counting the Shells | Policy Brief No. 7"
    lines = [head, "", "We counted containers visible at Rajin on 142 dates and combined the counts with",
             "typical loading figures for 152 mm and 122 mm", "", "2", "", head,
             "ammunition, which gives the range below.", "", "Short line", "", "eastasia-desk", "", "eastasia-desk"]
    pars = _paragraphs("\n".join(lines))
    assert ("We counted containers visible at Rajin on 142 dates and combined the counts with typical loading "
            "figures for 152 mm and 122 mm ammunition, which gives the range below.") in pars
    assert pars.count("eastasia-desk") == 2 and "Short line" in pars  # no sentence runs through them
    report = ["A grain trader told Post that the volumes are not large by Russian standards,",
              "but the buyer pays on time and the paperwork goes", "", "                    Page 2 of 5",
              "KS2025-0031", "",
              "through quickly, and payments are settled by barter.", "", "Page 3 of 5", "KS2025-0031"]
    assert _paragraphs("\n".join(report))[0].endswith("the paperwork goes through quickly, and payments are settled "
                                                      "by barter.")


def test_a_title_in_capitals_ending_in_of_runs_on_only_into_capitals() -> None:
    """A yearbook's index title "... REPUBLIC OF" stands above its deck; a caption line "... END OF" goes on."""
    entry = ["KOREA, DEMOCRATIC PEOPLE'S REPUBLIC OF", "In 2024 Pyongyang abandoned the goal of unification"]
    assert _paragraphs("\n".join(entry)) == entry
    caption = ["MORE TROOPS ARE EXPECTED BY THE END OF", "THE YEAR, OFFICIALS SAY."]
    assert _paragraphs("\n".join(caption)) == [" ".join(caption)]
    assert _paragraphs("Talks on it ran across the\nsummer.") == ["Talks on it ran across the summer."]
    assert _paragraphs("A talk with Dr.\nHenrik Aalto.") == ["A talk with Dr. Henrik Aalto."]


def test_a_wrapped_forum_post_with_a_few_unwrapped_long_lines_is_unwrapped() -> None:
    """A forum thread wraps its posts at 80 columns, among many short buttons, while its title bars run past the
    width; a few long lines among many wrappable ones must not hide the wrap, while a page of long lines has none."""
    long = ["Forum - Khasan-Tumangang: the rail link, the new road bridge and what is actually moving on the line"] * 3
    post = [
        "The only rail connection between Russia and North Korea is the 1959 Friendship",
        "Bridge over the Tumen River, a steel truss that carries dual-gauge track so",
        "that both Russian and Korean stock can cross. From Tumangang the line runs to",
        "the port of Rajin, where a Russian-led joint venture rebuilt the track and a",
        "coal terminal in the early 2010s, and where the container trials began.",
        "",
    ]
    buttons = ["Quote", "", "Reply", "", "Report", ""] * 30  # a thread's short lines outnumber the wrapped ones
    lines = long + [""] + buttons + post * 6
    pars = _paragraphs("\n".join(lines))
    assert pars[3 + 90].startswith("The only rail connection") and pars[93].endswith("the container trials began.")
    assert len(pars) == 3 + 90 + 6
    # pasted paragraphs, one per line, most far past 80 columns: the titles in the band head their paragraphs
    prose = "Freight on the route is still small by Russian standards, and one railway source put it at a few " \
        "hundred wagons a month, most of them covered and none of them declared in the customs data."
    titles = [f"Part {n}: the rail link, the new road bridge and what is moving over the Tumen" for n in range(4)]
    pasted = [line for title in titles for line in (title, prose, prose, prose)]
    assert _paragraphs("\n".join(pasted)) == pasted


def test_a_word_broken_at_a_line_end_is_joined_and_a_compound_keeps_its_hyphen() -> None:
    """pdftotext output: "ar-" + "tillery" is one word; "short-" + "range" and a compound the page prints
    elsewhere ("oil-rich") keep their hyphens. "By January 2024, ..." opens a sentence, not a byline."""
    lines = [
        "By January 2024, the White House said Rus-",
        "sia had fired North Korean short-",
        "range missiles and tens of thousands of ar-",
        "tillery rounds from its stocks, and the oil-",
        "rich ports of the Far East took the cargo.",
        "",
        "The oil-rich coast is far from Kyiv.",
    ]
    assert _paragraphs("\n".join(lines))[0] == (
        "By January 2024, the White House said Russia had fired North Korean short-range missiles and tens of "
        "thousands of artillery rounds from its stocks, and the oil-rich ports of the Far East took the cargo.")


def test_a_subtitle_transcript_is_joined_across_its_time_codes() -> None:
    """Cue lines cut sentences ("... road bridge" / "0:07" / "across the Tumen ..."); a video's running time
    printed once under a caption is not a cue run and changes nothing around it."""
    lines = [
        "0:03", "Russia and North Korea have started work on their first road bridge",
        "0:07", "across the Tumen River, a project both governments say will transform",
        "0:11", "trade along their short shared border.",
        "0:14", "[MUSIC]",
        "0:17", "Until now, the only fixed link has been a single rail bridge",
        "0:21", "opened in 1959, known as the Friendship Bridge.",
    ]
    pars = _paragraphs("\n".join(lines))
    assert "Russia and North Korea have started work on their first road bridge across the Tumen River, a project "\
           "both governments say will transform trade along their short shared border." in pars
    assert "Until now, the only fixed link has been a single rail bridge opened in 1959, known as the Friendship "\
           "Bridge." in pars
    # the opening cue has no line before it and "[MUSIC]" ends a sentence: both are left for the line judges
    assert pars[0] == "0:03" and "[MUSIC]" in pars and len(pars) == 4
    assert _paragraphs("Watch: the moment the train crossed the bridge\n1:45\nwhat the treaty says") == [
        "Watch: the moment the train crossed the bridge", "1:45", "what the treaty says"]


def test_a_sentence_printed_twice_comes_out_once() -> None:
    """A pull quote that repeats a body sentence word for word, or a caption printed twice, is kept once."""
    quote = ("Oksana Melnyk, who runs a Saturday school in the North End, says the news from Kursk has the "
             "whole community on edge.")
    body = [
        "Engineers on both banks of the Tumen River poured the last pier of the new road bridge on Monday, "
        "the Russian transport ministry said.",
        "The crossing would be the first road link between Russia and North Korea, whose trade now moves by "
        "sea or over a single-track rail bridge built in 1959.",
        "Officials in Seoul said they were watching the project closely and warned that sanctions still bar "
        "most of the goods that might cross it.",
    ]
    raw = "\n\n".join(["Last pier poured on the Tumen road bridge", "By Anna Lee", body[0], quote, body[1], quote,
                        body[2]])
    out = extract_article(raw)
    assert out.count(quote) == 1 and all(sentence in out for sentence in body)


def test_a_pull_quote_of_a_body_quotation_is_dropped() -> None:
    """A pull quote prints the words of a quoted body sentence apart, without its "said X": it goes; a quotation
    standing alone in the body, which no other sentence repeats, stays."""
    said = ('"The Russians are the only buyers Pyongyang can count on right now, and both sides know it," said '
            "Lena Voss, a trade analyst in Hamburg.")
    alone = '"We will not let our flag be used to carry weapons for anyone."'
    body = [
        "Freight trains crossed the Tumen bridge twice a day last month, according to the Russian railway.",
        "Most of the wagons carried fertilizer and flour, the railway said, while the return trains ran empty.",
        "Port officials in Rajin declined to say what the containers stacked on the quay held.",
    ]
    raw = "\n\n".join(["Rail freight to Rajin doubles", "By Anna Lee", body[0], said, body[1],
                        '"The Russians are the only buyers Pyongyang can count on right now, and both sides know it."',
                        body[2], "A registry official put it plainly.", alone])
    out = extract_article(raw)
    assert said in out and alone in out and all(sentence in out for sentence in body)
    assert not [s for s in out if s.startswith('"The Russians') and s != said]


def test_a_two_sentence_deck_set_apart_by_the_byline_stays_one_line() -> None:
    """A copied page prints headline, a two-sentence deck, then byline and date: the deck is one line even where
    the model reads it as the lede (a Delhi daily's copy of round 20)."""
    page = RAW_DIR / "heldout_r20" / "r18d_05_delhi_english_daily_copy.txt"
    out = extract_article(page.read_text(encoding="utf-8"))
    assert ("The treaty signed in Pyongyang revives a Cold War-style alliance clause. For India, which counts "
            "Moscow as a key partner, the timing is awkward.") in out



def test_the_headline_as_a_numbered_most_read_entry_is_dropped() -> None:
    """A "Most read" list numbers its entries ("3 <headline>"): the article's own headline there is a repeat."""
    page = RAW_DIR / "heldout_r20" / "r18d_02_london_evening_paper_copy.txt"
    out = extract_article(page.read_text(encoding="utf-8"))
    headline = "Beach towels and ballistic missiles: inside the Russian rush to Kim Jong Un's seaside resort"
    assert out.count(headline) == 1 and not any(line.endswith(headline) and line != headline for line in out)


def test_the_page_title_with_the_site_name_repeats_the_headline() -> None:
    """"<headline> | The Canterbury Regional" is the page's <title> printed again, not a line of the article."""
    head = "Satellite spotters keep watch as Pyongyang leans on Moscow"
    body = ["Amateur trackers near Rolleston say the satellite passes overhead twice a night, and they log each pass.",
            "They say the orbit changed after the Vostochny summit, when Russian help was first reported by officials."]
    text = "\n\n".join([f"{head} | The Canterbury Regional", "Menu", head, "By Lena Hargreaves", *body]) + "\n"
    out = extract_article(text)
    assert head in out and not any("Canterbury Regional" in line for line in out)


def test_a_quotation_closed_on_a_comma_keeps_its_attribution() -> None:
    text = "\"They do not like the word 'alliance' next to the word 'Pyongyang,'\" Cho said. She left early."
    assert split_sentences(text) == [
        "\"They do not like the word 'alliance' next to the word 'Pyongyang,'\" Cho said.",
        "She left early.",
    ]


def test_a_wrapped_promo_keeps_its_tail_and_a_wrapped_expert_line_is_no_attribution() -> None:
    """A scraper wraps "READ MORE: ..." like any line: its lower-case tail is the promo's, not a line of its own.
    "Prof. X, an expert at Y" cut by the wrap is half a sentence, not a pull quote's attribution."""
    text = ("Salford families wait for news\n\nREAD MORE: Salford charity sends 20th aid convoy as war nears\n"
            "third winter\n\nBut at a community centre in Salford, about 40 households gathered on Sunday evening.\n")
    assert not any(line.startswith("third winter") for line in extract_article(text))
    assert debris_class("Prof. Selim Akdogan, an international relations expert at Baskent") is None
