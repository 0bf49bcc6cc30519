"""The vocabulary of page furniture: word sets and regular expressions, one or more per debris class.

Kept apart from the decisions that use them (``debris``, ``lines``) so that a new
site's wording is added in one place and read against the rest.
"""

from __future__ import annotations

import re

_MONTHS = (
    "january february march april may june july august september october november "
    "december jan feb mar apr jun jul aug sep sept oct nov dec"
).split()
_DATE_WORDS = set(_MONTHS) | set(
    "monday tuesday wednesday thursday friday saturday sunday mon tue wed thu fri sat sun "
    "published updated update input modified edited posted last date time am pm a.m p.m "
    "gmt utc kst jst est edt bst cet msk min mins minute minutes read reading ago hour hours "
    "day days week weeks on at and juche written registered sent".split()
)
_SHARE_WORDS = set(
    "share shares sharing facebook twitter x kakaotalk kakao kakaostory band linkedin whatsapp "
    "reddit telegram line naver blog pinterest tumblr email e-mail mail print copy copied link "
    "url send to friend this article page it on via save bookmark scrap a+ a- font size "
    "tweet messenger sns more".split()
)
_NAV_SINGLE = set(
    "menu search login logout home donate close open more next previous prev top back "
    "subscribe register accept reply report like likes translate language languages".split()
)

_RE_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_RE_HANDLE = re.compile(r"(?:^|\s)@\w{3,}")
_RE_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.I)
_RE_PHONE = re.compile(r"\b(?:tel|fax)\b\.?|\bphone\s*:|\b\d{2,4}-\d{3,4}-\d{4}\b", re.I)

_RE_NAV = re.compile(
    r"^(?:quick access to|skip to|skip navigation|go to (?:the )?(?:main|menu|content|top)|"
    r"jump to|back to top|move to|go to top|open menu|close menu|main menu|toggle navigation)\b"
    r"|^back to (?:all \w+|(?:the )?(?:blog|news|insights|articles|posts|stories|home ?page|home|list|"
    r"search results))$",
    re.I,
)
# A series' links: "To Read Part 1.. click here", "Series: The new axis — ...", "Next week in Part 3: ..."
_RE_SERIES = re.compile(
    r"^(?:to )?read part \d+\b|\bclick here\b|^(?:next week|tomorrow|coming up|next time) in (?:part \d+|[\w ]{2,30}):"
    r"|^series: |^part \d+ of \d+\b",
    re.I,
)
_RE_BYLINE = re.compile(
    r"^(?i:by|written by|reported by|posted by|commentary by|analysis by|words by|"
    r"reporter|reporters|correspondent|staff writer|staff reporter|editor|writer)\b\s*[:=]?\s*"
    r"(?=[A-Z\u3131-\uD7A3])(?!(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec|Monday|Tuesday|Wednesday|Thursday|Friday|"
    r"Saturday|Sunday)\b)",  # "By January 2024, the White House said ..." opens a sentence
)
_RE_BYLINE_TAIL = re.compile(
    r"(?:,|\s)\s*(?:staff )?(?:reporter|correspondent|writer|editor|contributor)s?\s*$", re.I
)
_RE_CONTRIB = re.compile(
    r"\bcontributed (?:reporting|to this (?:report|story|article))\b|"
    r"\b(?:reporting by|editing by|additional reporting(?: by)?)\b|"
    r"^this (?:story|article|post|report) (?:has been|was) updated (?:with|to include) "
    r"(?:comments?|details|information)\b|"
    r"^\(?(?:an? (?:shorter|longer|earlier|different) version of this (?:\w+ )?(?:appeared|was published|ran)|"
    r"this (?:\w+ )?(?:first|originally) (?:appeared|ran|was published) (?:in|on|at)|"
    r"originally published (?:in|by|on))\b|"
    r"^[A-Z][\w.&' -]{1,30} via (?:AP|AFP|Reuters|Getty Images|EPA|Yonhap|KCNA|Xinhua|TASS|Sputnik)$",
    re.I,
)
# A republished piece's source tag: "(EDITORIAL from the X Daily on Sept. 15)"
_RE_SOURCE_TAG = re.compile(r"^\((?:editorial|commentary|column|opinion|analysis) from [^()]{3,80}\)\.?$", re.I)
_RE_REPORTED_FROM = re.compile(r"\breported from\b", re.I)
_RE_WRITER_NOTE = re.compile(
    r"^[-—–*(]*\s*(?:the )?(?:writer|author|columnist|contributor)s? (?:is|are|was|were|served)\b", re.I
)
# "Jane Doe is a senior fellow at ...", "Cho Min-ji covers North Korea for KMW.": a person's name (two words at
# least, so no country or pronoun) and a job title or beat.
_RE_PERSON_BIO = re.compile(
    r"^(?!(?:The|This|That|It|Its|These|Those|Our|His|Her|Their) )(?:(?:Dr|Mr|Ms|Mrs|Prof)\.? )?"
    r"[A-Z][\w'-]+(?: [A-Z][\w'-]+){1,3}(?:,? (?:is|was|has been|serves as|works as) "
    r"(?:a|an|the|[A-Z][\w'-]*(?: [A-Z][\w'-]*){0,3}'s)\b[^.]{0,60}?\b"
    r"(?:reporter|correspondent|editor|writer|journalist|columnist|contributor|producer|fellow|partner|analyst|"
    r"researcher|professor|lecturer|associate|director|founder|co-founder|chief|head|member|student|candidate|"
    r"intern|freelancer|photographer|blogger|critic|commentator)s?\b| (?:covers|writes about|reports on)\b)"
)
# "This was published 8 months ago", "This article was published more than 1 year ago."
_RE_AGE_NOTE = re.compile(
    r"^this (?:\w+ )?was (?:first )?published (?:more than |over )?(?:\d+|an?|one) \w+ ago\b", re.I
)
# A pull quote's attribution under it: "Dr. Morag Hastie, Lomond Institute", "Jordi Casals, travel agent"
_RE_ATTRIBUTION = re.compile(
    r"^(?!(?:For|In|At|On|To|From|With|By|As|After|Before|And|But|So|Yes|No|The|This|That|Dear|Hello|Thanks?|"
    r"Good|An?)\b)(?:(?:Dr|Prof|Mr|Ms|Mrs|Gen|Col|Lt|Capt|Rev)\.? )?[A-Z][\w'’.-]+(?: [A-Z][\w'’.-]+){1,3}, "
    r"(?:an? |the )?[\w'’&.-]+(?: (?!(?:who|which|that|said|at|in|on|to|for|with|from)\b)[\w'’&.-]+){0,4}"
    r"(?<![.!?:\"'])$"
)
# a hard-wrapped line cut after a function word is a sentence's first half, not an attribution
_RE_CUT_LINE = re.compile(r"\b(?:to|the|of|an?|and|or|in|on|at|for|with|from|by|as|is|was|are|were|its|their|his|her)$")
_RE_COUNTER = re.compile(
    r"^(?:views?|hits?|reads?|comments?|replies|reply|likes?|shares?|reactions?|"
    r"recommend(?:ations)?|votes?)\s*[:(]?\s*[\d,.]*\s*k?\)?$|"
    r"^[\d,.]+k?\s*(?:views?|comments?|likes?|shares?|replies|reads?)$",
    re.I,
)
_RE_COMMENTS = re.compile(
    r"^(?:join the (?:conversation|discussion|debate)|show (?:more|all) comments|view (?:all )?comments|"
    r"load more(?: comments)?|leave a (?:comment|reply)|post a comment|add a comment|"
    r"please log ?in to (?:leave a )?comment|comments? (?:are|is) closed)\b",
    re.I,
)
_RE_CAPTION_START = re.compile(
    r"^(?:[△▲▶►■□◆◇●○※▷▽▼]|(?:photos?|images?|pictures?|photograph|video|graphic|illustration|"
    r"file photo|source|credits?)\s*(?:by\b|=|:|-\s|—)|courtesy of\b|"
    r"\[(?:photo|image|video|graphic)\b|\((?:photo|image)\b)",
    re.I,
)
_RE_CAPTION_END = re.compile(
    r"(?:[\[(][^\[\]()]*\b(?:photos?|images?|pictures?|source\s*[=:]|credits?|courtesy|"
    r"file photo|yonhap|kcna|afp|ap|reuters|epa|getty(?: images)?|xinhua|tass|"
    r"sputnik|newsis|news1)\b[^\[\]()]*[\])]|[\[(]\s*©[^\[\]()]*[\])]|"
    r"\b(?:credit|photo|picture|image)s?\s*:\s*[\w /.&-]{2,40}|"
    r"\b[A-Z]{2,}(?:[- ][A-Z]{2,})*/[A-Z][\w .'-]{1,40}|\bvia Getty Images|\bGetty Images)\s*$",
    re.I,
)
_RE_COPYRIGHT = re.compile(
    r"©|\bcopyright\b|\(c\)\s*\d{4}|\ball rights reserved\b|\breprint(?:ing)?\b.*\bprohibited\b|"
    r"\bredistribution\b.*\bprohibited\b|\bunauthori[sz]ed (?:reproduction|copying|use)\b|"
    r"\bmay not be (?:re)?(?:published|reproduced|broadcast|redistributed)\b",
    re.I,
)
_RE_RELATED_HEADER = re.compile(
    r"^(?:the )?(?:latest|top|most|more|related|popular|trending|recommended|featured|"
    r"editor'?s'?|weekly|daily|monthly|today'?s|hot|breaking|other|similar|also|further|"
    r"you may|you might|we recommend|don'?t miss|read|see|watch|explore|must)\b"
    r"[\w' &-]{0,40}?\b(?:stories|story|articles?|news|headlines|reads?|read|viewed|popular|"
    r"shared|commented|coverage|content|posts?|picks?|like|links|videos?|best|reading|"
    r"also|now|more|updates|this|topics|research)"
    r"(?:\s+(?:in|on|from|about)\s+[\w' -]+)?\s*:?\s*$",
    re.I,
)
# "MORE IN WORLD", "Latest from Asia", "Trending"
_RE_RELATED_SHORT = re.compile(
    r"^(?:(?:more|latest|top|trending|popular)\s+(?:in|on|from|about)\s+[\w' &-]+|"
    r"(?:trending|related|latest|popular|recommended)(?: now)?|(?:news|live) (?:feed|ticker|line)|"
    r"all (?:news|headlines|stories)|key (?:events|moments))\s*:?\s*$",
    re.I,
)
_RE_PROMO = re.compile(
    r"^(?:read more|read also|also read|see also|related|more|watch|listen|recommended|"
    r"sponsored|advertisement|promoted)\s*(?::|\||>>|»|›)\s*\S",
    re.I,
)
# "This episode is supported by X.", "THIS ISSUE IS SUPPORTED BY X"
_RE_SPONSOR_LINE = re.compile(
    r"^(?:this|today's|this week's) (?:issue|episode|newsletter|edition|post|show|briefing|podcast) (?:is )?"
    r"(?:supported|sponsored|brought to you|presented|made possible) by\b",
    re.I,
)
_RE_AD = re.compile(
    r"^(?:advertisement|advertising|ad|sponsored(?: content)?|promoted|scroll to continue(?: with content)?|"
    r"story continues below(?: advertisement)?|continue reading(?: below)?|hide ad|annons|anzeige|publicidad|"
    r"publicité|(?:presented|brought to you|sponsored|powered|supported) by [^.!?]{2,40}|"
    r"(?:together|in partnership) with [^.!?]{2,40})$",
    re.I,
)
_RE_COOKIE = re.compile(r"\bcookies?\b.*\b(?:use|accept|consent|policy|settings|preferences|agree)\b", re.I)
# a consent wall in other words: "By continuing to browse you consent to our use of cookies", the GDPR
_RE_CONSENT = re.compile(
    r"\b(?:consent|agree) to (?:our|the) use of cookies\b|\bgdpr\b|\bconsent to (?:this|the) processing\b|"
    r"\bprocess your personal data\b|^your data, your choice\b",
    re.I,
)
_RE_NEWSLETTER = re.compile(
    r"\bnewsletters?\b|^(?:subscribe|sign up|sign in|log ?in|register|get our|join our|"
    r"follow us|download (?:the|our) app|get the app|type your|enter your)\b",
    re.I,
)
# "Thanks for reading X! Subscribe for free ...": end-of-post prompts
_RE_SUBSCRIBE_PROMPT = re.compile(
    r"^(?:thanks?(?: you)? for (?:reading|signing up|subscribing)|"
    r"(?:subscribe|sign up)\b.*\b(?:free|posts|updates|inbox|support)\b|"
    r"(?:follow|find) [\w' ]{0,30}\bon (?:telegram|twitter|x|facebook|instagram|youtube|vk|whatsapp|"
    r"google news)|join [\w' ]{0,30}\b(?:telegram|whatsapp) channel\b)|"
    r"\bcan sign up (?:to|for) (?:our|the|a) [\w' -]{0,40}\bnewsletter\b",
    re.I,
)
# The reader asked for money: "If you value our journalism, chip in today.", "Support for X comes from ..."
_RE_APPEAL = re.compile(
    r"\b(?:chip in|donate (?:now|today|here|monthly)|become an? (?:patron|paying member|supporter|member today)|"
    r"support (?:our|independent|local|us in our) (?:journalism|work|reporting|newsroom)|needs your support|"
    r"make a (?:donation|contribution) (?:today|now|to)|"
    r"your (?:donation|contribution|support) (?:helps|keeps|makes|pays)|"
    r"reader-funded|funded by (?:readers|listeners|members) like you|"
    r"made possible by (?:readers|listeners|members|viewers) like you)\b"
    r"|^support for [\w' ]{2,40} (?:comes|is provided) from\b"
    r"|^if you (?:value|like|enjoy|appreciate|found|rely on)\b.{0,80}\b"
    r"(?:support|subscribe|donate|chip in|become|consider)\b"
    r"|\bwe (?:do not|don't) take (?:money|funding)\b|\bwe take no (?:money|funding)\b",
    re.I,
)
_RE_FOOTER_LINKS = re.compile(
    r"^(?:about us|contact us|privacy(?: policy)?|terms(?: of (?:use|service))?|cookie (?:policy|settings)|"
    r"accessibility(?: statement)?|careers|advertise(?: with [\w'&. -]{1,40})?|sitemap|rss|faq|help|"
    r"(?:give|donate|support us|contribute)(?: now| today)?)$",
    re.I,
)
# Legal and editorial boilerplate: disclosures, "not investment advice", affiliate and funding notes.
_RE_DISCLAIMER = re.compile(
    r"^(?:advertiser |editorial |affiliate |funding |financial )?(?:disclosure|disclaimer)s?\b"
    r"|\b(?:is|are|does not constitute|do not constitute|not intended as|should not be (?:taken|construed) as) "
    r"(?:not )?(?:a substitute for )?(?:(?:legal|investment|financial|medical|tax|professional|sanctions-compliance)"
    r"(?:,? (?:or |and )?)?)+ advice\b"
    r"|\bfor (?:general )?information(?:al)? purposes only\b|\bpast performance is not\b"
    r"|\b(?:is|are) reader-supported\b|\bmay contain affiliate links\b|\baffiliate link\b"
    r"|\bwe may (?:earn|receive|get) (?:a |an )?(?:small )?(?:affiliate )?(?:commission|compensation|fee)\b"
    r"|\bviews expressed\b.{0,60}\b(?:are|is) (?:solely )?(?:those of|the author|their own|his own|her own)"
    r"|\bexpresses the author's own\b|\bno role in (?:the |our )?editorial\b"
    r"|\bhas no (?:business|financial) relationship\b",
    re.I,
)
_RE_TAGS = re.compile(
    r"^(?:topics?|tags?|keywords?|filed under|categories|category|section)\s*:|^(?:#[\w-]+[\s,]*){2,}$", re.I
)
_RE_DOWNLOAD = re.compile(
    r"^(?:download|print|listen to|watch|play)\b|^(?:load (?:more|earlier|older|newer)(?: \w+)?|"
    r"click to (?:expand|enlarge|view|play)|show (?:more|less)(?: \w+)?|see all(?: \w+)?|expand|collapse)$",
    re.I,
)
_RE_SEPARATOR = re.compile(r"^[\W_]+$|^-0-$|^\(?end\)?$", re.I)
_RE_SOUND_CUE = re.compile(r"^\[[^\]a-z]+\]$")  # a transcript's "[THEME MUSIC]", "[ AD BREAK ]"
_RE_TICKER = re.compile(r"[▲▼]\s*[\d.,]+%")

# Every class ``debris_class`` can return, plus "author" (sign-offs and bios, found in ``lines``).

# the note that marks a box of summary bullets: "This summary is AI-generated and in beta.", "generated with AI"
_RE_AI_NOTE = re.compile(
    r"\bAI[- ](?:generated|written|assisted|produced)\b"
    r"|\bgenerated (?:by|with|using) (?:the help of )?(?:AI|artificial intelligence)\b"
)
