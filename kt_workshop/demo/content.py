"""Demo content for the reference workshop: what was said, and what the analysts made of it.

Plain data, modelled on a real one-day knowledge-transfer workshop on the prevention of child
sexual abuse and exploitation (CSAE) held by the 2PS project (Prevent & Protect through
Support): 65 delegates from eight countries, five fixed groups, ten questions in two blocks.
Nothing here names a delegate; speakers appear only by role or country, as the moderators
jotted them on their tablets.

- THEMES: the analysts' codebook, parents before children (three levels at most).
- NOTES: the moderators' notes, each with two analysts' independent coding (``a`` and ``b``).
- SUMMARIES: the analysts' report-ready summary for each question (index 0-9).
- THEME_SUMMARIES: a summary for each of the three overarching themes.
- DISCUSSION_POINTS: points the report puts forward for further discussion.
- THEME_MEMOS and NOTE_MEMOS: the analysts' working notes on themes and on single notes.

The notes are written below in a compact form, one block of text per question, and turned
into dictionaries by ``_parse_block``. Each note starts with a header line::

    G<group 1-5> <kind>[*][!] <analyst A's theme keys or -> | <B's theme keys, = or ->

``*`` marks a starred note and ``!`` a key quote; ``=`` means B coded the same as A and ``-``
means no theme. The note's text follows on indented lines, joined with single spaces.
"""

KINDS = ("insight", "challenge", "good_practice", "idea", "question", "quote")

# Okabe-Ito orange, blue and bluish green for the overarching themes; lighter tints below.
THEMES: list[dict] = [
    {
        "key": "comms",
        "parent": None,
        "name": "Consistent communication and shared values",
        "colour": "#e69f00",
        "description": "How professionals, agencies and countries talk to each other and to "
        "the public about prevention, and the values they share or do not share.",
        "usage": "Use for notes about communication or values in general; prefer a more "
        "specific theme below where one fits.",
    },
    {
        "key": "language",
        "parent": "comms",
        "name": "Common language and definitions",
        "colour": "#ecb740",
        "description": "Terminology for people, interventions and levels of prevention, and "
        "how terms carry between disciplines and languages.",
        "usage": "Use when a note turns on what words mean or which words to use.",
    },
    {
        "key": "values",
        "parent": "comms",
        "name": "Shared values and cross-border consistency",
        "colour": "#efc159",
        "description": "The common aims and principles behind prevention work, and whether "
        "standards and approaches are consistent from one country to the next.",
        "usage": "Use for notes about shared principles, common standards or differences "
        "between countries' approaches.",
    },
    {
        "key": "agencies",
        "parent": "comms",
        "name": "Communication between agencies",
        "colour": "#f1ca73",
        "description": "Working relationships, referral routes and the flow of information "
        "between police, probation, therapists, helplines and health services.",
        "usage": "Use when a note concerns how two or more agencies work or talk together.",
    },
    {
        "key": "public",
        "parent": "comms",
        "name": "Public and political narrative",
        "colour": "#f4d48c",
        "description": "How the public, politicians and the press see prevention and people "
        "with a sexual interest in children.",
        "usage": "Use for notes on public opinion, the political climate or awareness campaigns.",
    },
    {
        "key": "stigma",
        "parent": "public",
        "name": "Stigma and help-seeking",
        "colour": "#f7e0ad",
        "description": "Stigma attached to people who seek help, to their families and to the "
        "professionals who work with them, and what it does to help-seeking.",
        "usage": "Use when a note describes stigma or fear of exposure affecting people.",
    },
    {
        "key": "media",
        "parent": "public",
        "name": "Media and press",
        "colour": "#f9e8c2",
        "description": "Coverage in the press and on social media, the language it uses, and "
        "working with journalists.",
        "usage": "Use when a note is about the media or how coverage is produced.",
    },
    {
        "key": "engagement",
        "parent": "comms",
        "name": "Engaging stakeholders",
        "colour": "#f6dda6",
        "description": "Involving service users, professionals, policymakers and the public in "
        "developing, running and maintaining services.",
        "usage": "Use for notes about consultation, involvement or keeping stakeholders "
        "engaged over time.",
    },
    {
        "key": "survivors",
        "parent": "engagement",
        "name": "Survivor and victim voice",
        "colour": "#fbf0d6",
        "description": "The perspectives of people who have experienced abuse in shaping "
        "prevention services and messages.",
        "usage": "Use when a note refers to involving victims or survivors, or to their views "
        "on prevention.",
    },
    {
        "key": "research",
        "parent": None,
        "name": "Research and funding",
        "colour": "#0072b2",
        "description": "The evidence base for prevention, how services are evaluated and "
        "funded, and how findings reach policy and practice.",
        "usage": "Use for notes about research or money in general; prefer a more specific "
        "theme below.",
    },
    {
        "key": "evidence",
        "parent": "research",
        "name": "Evidence base and evaluation",
        "colour": "#4095c5",
        "description": "What is known about what works, how interventions are described and "
        "evaluated, and which study designs are feasible.",
        "usage": "Use when a note concerns evaluating a service or the state of the evidence.",
    },
    {
        "key": "kpis",
        "parent": "evidence",
        "name": "Outcome measures and KPIs",
        "colour": "#add2e6",
        "description": "Indicators and instruments for measuring success, from reoffending to "
        "intermediate and process measures.",
        "usage": "Use when a note names, proposes or criticises a specific measure of success.",
    },
    {
        "key": "funding",
        "parent": "research",
        "name": "Funding and resources",
        "colour": "#59a3cd",
        "description": "Who pays for prevention and its evaluation, how need is used to justify "
        "resources, and the true costs of implementation.",
        "usage": "Use for notes about funders, budgets, costs or the case for resources.",
    },
    {
        "key": "cycles",
        "parent": "funding",
        "name": "Short funding cycles and sustainability",
        "colour": "#c2dded",
        "description": "Short-term project funding, pilots that close when grants end, and the "
        "staff and knowledge lost with them.",
        "usage": "Use when a note links a problem to time-limited funding or to keeping a "
        "service going.",
    },
    {
        "key": "data",
        "parent": "research",
        "name": "Data collection and sharing",
        "colour": "#73b1d5",
        "description": "What data services collect, how it is recorded and linked, and how it "
        "is shared between services and countries.",
        "usage": "Use for notes about data sets, data collection in practice or data sharing "
        "agreements.",
    },
    {
        "key": "dissemination",
        "parent": "research",
        "name": "Dissemination and impact",
        "colour": "#8cc0dc",
        "description": "How research findings reach practitioners, policymakers and the public, "
        "and their impact on policy and practice.",
        "usage": "Use for notes about publishing, translating, training from findings or "
        "influencing policy.",
    },
    {
        "key": "ethics",
        "parent": None,
        "name": "Service ethics: assessing risk and reporting",
        "colour": "#009e73",
        "description": "The ethics of providing and researching prevention services: "
        "confidentiality, reporting duties, risk assessment, access and care for staff.",
        "usage": "Use for notes about ethics in general; prefer a more specific theme below.",
    },
    {
        "key": "risk",
        "parent": "ethics",
        "name": "Risk assessment",
        "colour": "#40b696",
        "description": "The use, validity and limits of risk assessment tools and structured "
        "judgement, especially with people who have not offended.",
        "usage": "Use when a note concerns assessing or managing risk.",
    },
    {
        "key": "reporting",
        "parent": "ethics",
        "name": "Confidentiality and reporting",
        "colour": "#59c0a4",
        "description": "What services tell clients about confidentiality and how they handle "
        "disclosures in practice.",
        "usage": "Use for notes on confidentiality protocols and on handling disclosures "
        "within a service.",
    },
    {
        "key": "mandatory",
        "parent": "reporting",
        "name": "Reporting duties across countries",
        "colour": "#ade0d2",
        "description": "Legal duties to report or avert offences against children and how they "
        "differ between countries.",
        "usage": "Use when a note refers to a legal reporting duty or compares countries' rules.",
    },
    {
        "key": "privacy",
        "parent": "ethics",
        "name": "Research ethics and data protection",
        "colour": "#73cab2",
        "description": "Ethics approval, consent, the GDPR and the protection of sensitive data "
        "in services and in research.",
        "usage": "Use for notes about ethics committees, consent, the GDPR or data security.",
    },
    {
        "key": "access",
        "parent": "ethics",
        "name": "Access to services",
        "colour": "#8cd3c0",
        "description": "Who can reach help and by which routes, and the gaps for groups such as "
        "non-offending help-seekers, young people and families.",
        "usage": "Use when a note concerns who is reached, thresholds or gaps in provision.",
    },
    {
        "key": "staff",
        "parent": "ethics",
        "name": "Staff training and wellbeing",
        "colour": "#a6ddce",
        "description": "Training, supervision, confidence and wellbeing of the professionals "
        "and volunteers who deliver prevention work.",
        "usage": "Use for notes about training, supervision, the workforce or vicarious trauma.",
    },
]

QUESTIONS = [
    "Identifying need and justifying resource/implementation",
    "Navigating the ethics of service provision",
    "National and local challenges (legal, social, political)",
    "National and local good practice",
    "Engaging the service user, professionals, policymakers, and the public in service "
    "development, implementation, and maintenance",
    "Framing the intervention and what this means for data collection and evaluation",
    "Identifying key performance indicators & measuring success",
    "Research ethics, data protection, and criminal justice interventions",
    "How do we fund and support evaluation?",
    "Disseminating research findings, sharing data, and impact on policy as well as practice",
]

_NOTE_BLOCKS = [
    # 0 Identifying need and justifying resource/implementation
    """
G1 insight evidence | =
    Need is hard to evidence because the target group is hidden. We only count the people who
    already come forward.
G1 challenge*! funding evidence | funding
    Commissioners ask "how many cases prevented?" – nobody can answer that for prevention. The
    counterfactual is invisible.
G1 insight access media | access
    Helpline call volumes are the best proxy for unmet need we have. Calls went up every time there
    was a media campaign.
G1 good_practice evidence | =
    Self-report survey of anonymous CSAM users (around half said they wanted to stop, most had
    already tried and failed) used successfully in a funding bid.
G1 challenge values | values language
    Prevention for people with a sexual interest in children still seen as "helping offenders", not
    protecting children. Justification has to start from child protection.
G1 question funding | =
    Kto ma płacić za profilaktykę – ministerstwo zdrowia czy sprawiedliwości? Nikt nie czuje się za
    to odpowiedzialny.
G1 idea evidence data | =
    Map existing services first (2PS repository) so gaps are visible on a map, not just claimed.
G1 insight funding | =
    Cost of one prosecution + prison sentence vs cost of a year of outpatient therapy. Economic
    argument lands better with the treasury than the moral one.
G2 challenge evidence | =
    No prevalence data on sexual interest in children in most countries. Estimates borrowed from
    German and Canadian studies.
G2 insight access | =
    Bei uns kommen viele Betroffene erst nach Jahren, oft über eine Suche im Internet. Der Bedarf
    ist viel größer als das Angebot.
G2 insight* funding access | =
    Waiting lists ARE evidence of need – one German site has people waiting months for a first
    appointment.
G2 question agencies | =
    Who identifies the need locally? Police see CSAM volume, GPs see nothing, helplines see the
    anonymous middle.
G2 challenge stigma | stigma public
    Politicians do not want their name on a service "for paedophiles". Need is clear, political will
    is not.
G2 insight access risk | =
    Young people under 18 with harmful sexual behaviour are a separate need group – adult services
    don't fit them.
G2 good_practice dissemination | =
    NL: short evidence brief plus one case vignette when talking to the ministry. Worked better than
    a 40-page report.
G2 idea kpis | =
    Agree a minimum dataset across countries so need can be compared: calls, referrals, waiting
    time, drop-out.
G3 insight evidence | =
    Online CSAM volumes (hotline reports, platform takedowns) used as proxy for need – but they
    measure material, not people.
G3 challenge* cycles | =
    Pilots get 12–18 months. By the time the need is demonstrated the money has gone.
G3 insight access stigma | =
    W Polsce osoby z zainteresowaniem seksualnym dziećmi praktycznie nie mają gdzie zgłosić się po
    pomoc, dopóki nie popełnią przestępstwa.
G3 quote! values | =
    "Every victim is one too many – that is the justification. We shouldn't need more than that."
    (helpline manager)
G3 insight agencies | =
    Probation sees need only at the tertiary end. The secondary group never reaches them.
G3 question evidence data | =
    Can click-through data from deterrence messages (people searching for illegal material who click
    for help) count as evidence of need?
G3 challenge language | =
    Primary / secondary / tertiary prevention mean different things to health and to criminal
    justice colleagues. Confuses funders.
G3 insight funding staff | =
    Implementation costs underestimated: clinical supervision, staff wellbeing, out-of-hours cover.
G4 insight access | access evidence
    Need assessment should include people close to the person – partners, parents – who call
    helplines worried about someone else.
G4 challenge funding values | =
    Justifying resource = competing with victim services for the same pot. Nobody wants to be seen
    taking money from victims.
G4 challenge cycles | =
    Die Finanzierung hängt bei uns an Modellprojekten. Sobald die Förderphase endet, steht das
    Angebot wieder auf der Kippe.
G4 good_practice funding | =
    UK helpline survived partly because it could show call numbers per region to each regional
    funder.
G4 idea values evidence | =
    Shared European template for need assessment, translated. Saves each country starting from zero.
G4 insight media | =
    Temat pojawia się w mediach tylko przy głośnych sprawach. Wtedy politycy mówią o karach, a nie o
    profilaktyce.
G4 insight risk | =
    Need is not only numbers but risk level – low-risk help-seekers don't need the intensity of
    someone leaving prison.
G4 insight funding evidence agencies | =
    A service manager described the commissioning meeting: the first question was how many children
    had been protected, the second why the money shouldn't go to victims' services. What worked in
    the end was a combination of three things – the helpline's own contact figures for the region, a
    prevalence estimate from published surveys, and a letter from the local police lead saying the
    service takes pressure off their online child abuse teams.
G5 challenge evidence values | =
    Academics and practitioners disagree on what counts as evidence of need. Practitioners: "we see
    it every day". Funders: "show me a study".
G5 insight access | =
    Many help-seekers are young men, first contact often online late at night. Services open 9 to 5
    miss them.
G5 question funding | funding cycles
    Should prevention be paid for as health care (insurance) rather than project grants? Germany
    partly does this.
G5 good_practice funding | =
    W jednym województwie udało się sfinansować pilotaż ze środków na przeciwdziałanie przemocy w
    rodzinie, ale projekt trzeba było „przepakować”.
G5 insight agencies | =
    Senior police often more supportive than politicians – they know arrests alone don't reduce the
    volume.
G5 challenge* stigma evidence | =
    Stigma makes need invisible: people don't disclose in surveys, so prevalence studies undercount.
G5 idea dissemination values | dissemination
    Use the repository to show ministers what neighbouring countries already fund. Peer pressure
    between countries works.
G5 insight - | -
    Group 5 short on time here, discussion continued into the break.
""",
    # 1 Navigating the ethics of service provision
    """
G1 challenge* reporting mandatory | =
    Biggest tension: confidentiality vs duty to report. In Poland anyone who knows of certain
    offences against children must notify – clients know this and don't disclose.
G1 insight reporting | =
    Limits of confidentiality must be explained at the very first contact. What will and won't be
    passed on, in plain words.
G1 challenge mandatory | =
    Art. 240 kk sprawia, że terapeuta, który usłyszy o przestępstwie wobec dziecka poniżej 15 lat,
    ma obowiązek zawiadomić organy ścigania. To zamyka drogę do szczerej terapii.
G1 question access reporting | =
    Is it ethical to offer anonymous help if you can never check whether a child is currently at
    risk?
G1 insight staff | =
    Staff wellbeing is an ethical issue too. Therapists hearing about sexual fantasies involving
    children all day need supervision and a caseload limit.
G1 good_practice reporting | =
    Written protocol: past offences stay confidential; current or planned harm to an identifiable
    child is reported. Reviewed with the ethics board every year.
G1 insight ethics values | ethics
    Ethics of NOT providing a service: if we turn people away, who carries that risk?
G1 quote! values | =
    "We are not there to protect the client from consequences. We are there to protect children by
    helping the client."
G2 insight mandatory | =
    In Deutschland gibt es keine Anzeigepflicht für vergangene Taten. Die Schweigepflicht ist die
    Grundlage dafür, dass die Menschen überhaupt zu uns kommen.
G2 challenge values language | values
    Some uncomfortable with "client-centred" language for people who have offended. Others: that's
    exactly what reduces risk.
G2 insight risk | =
    Risk assessment at intake decides level of service. Ethically we must not over-assess
    help-seekers who have never offended.
G2 question access | =
    What do we owe family members? Partners who call are often left with no support at all.
G2 challenge staff | =
    Helpline staff often not clinically trained. Where is the line between listening and treatment?
G2 idea staff values | =
    Shared ethics training module for helpline staff across countries, translated into national
    languages.
G2 insight privacy access | =
    Online chat: IP addresses stored by default by some providers. The promise of anonymity may not
    be true technically.
G2 insight stigma staff | =
    Wielu specjalistów odmawia pracy z tą grupą – boją się, co powiedzą koledzy i inni pacjenci.
G3 insight* access | =
    People attracted to children who have never offended: the group everyone says they want to
    reach, and the group least served.
G3 challenge reporting values | =
    Therapists on the same team differ: one would report a disclosed image offence, another
    wouldn't. Needs a team policy, not individual conscience.
G3 insight mandatory | =
    Norway: duty to avert (avvergingsplikt) applies to everyone, therapists included, but only for
    ongoing or future serious offences.
G3 good_practice mandatory | mandatory reporting
    Belgium: professional secrecy with a defined exception for imminent danger to a minor. Gives
    therapists room to use judgement.
G3 challenge risk | =
    False positives: labelling someone "high risk" on a tool validated on convicted men.
G3 question privacy | =
    Can a helpline record calls for training and research if callers are told they are anonymous?
G3 insight agencies access | =
    Police liaison needed, but the service must not look like an arm of the police or nobody will
    call.
G3 idea mandatory values | =
    European comparison table of reporting duties – practitioners don't even know the rules in the
    neighbouring country.
G4 challenge* values | values language
    No agreed ethical framework across the EU for secondary prevention. Each service reinvents its
    own rules.
G4 challenge privacy funding | =
    Für die Onlineberatung brauchen wir Server in der EU und Ende-zu-Ende-Verschlüsselung. Das
    kostet Geld, das im Projekt nicht eingeplant war.
G4 insight staff | =
    Vicarious trauma in helpline staff under-reported. Duty of care lies with the employer.
G4 insight access | =
    Minors contacting adult services – staff unsure whether they may even continue the conversation
    without parental consent.
G4 question reporting | reporting mandatory
    Co zrobić, gdy klient mówi o dziecku ze swojego otoczenia, ale nie podaje żadnych danych?
    Zgłaszać czy nie?
G4 insight risk | =
    Treatment readiness matters more than diagnosis. We should not exclude people who are
    ambivalent.
G4 insight* reporting risk | =
    Long discussion of an anonymised case: a man calling the helpline for months about his urges
    mentions he has started babysitting for a neighbour. Staff had to decide on the spot whether
    this was risk to an identifiable child. They talked it through with him in the same call, he
    agreed to stop and to tell his therapist, and the team documented the decision. Everyone agreed
    no rule could have made that decision for them.
G4 good_practice access | =
    Text-based first contact lowered the threshold. Some people need weeks of anonymous chats before
    they give even a first name.
G5 insight values | =
    Ethics of provision starts from child protection. If that is explicit in the mission statement,
    most dilemmas get easier.
G5 challenge media access | media
    Fear of media exposure drives decisions – services keep a low profile, which also makes them
    hard to find.
G5 question risk | =
    Should a service ever refuse someone because risk is too high for outpatient work? And then what
    happens to them?
G5 insight reporting | =
    Clients test confidentiality with "hypothetical" stories first. Staff need to recognise this.
G5 good_practice staff agencies | =
    Peer supervision across organisations (UK/NL). Cheaper than external supervision and builds
    shared standards.
G5 challenge privacy values | =
    Ethics boards treat this group as both "vulnerable" and "dangerous" – contradictory
    requirements.
G5 insight mandatory public | mandatory
    UK: no general mandatory reporting yet, but debated. Practitioners worry a blanket duty would
    close the helplines' anonymous door.
G5 question reporting agencies | =
    Do people on probation who also call the helpline anonymously need to be told that the two
    services don't talk to each other?
G5 question - | -
    Moderator: come back to this in the afternoon (links to research ethics question).
""",
    # 2 National and local challenges (legal, social, political)
    """
G1 challenge values mandatory | =
    Legal frameworks differ so much that a service model from one country can't simply be copied to
    another.
G1 insight public | =
    Political cycle: each new minister wants visible "tough" measures. Prevention has no photo
    opportunity.
G1 challenge stigma access | =
    W mniejszych miejscowościach wszyscy się znają. Samo wejście do poradni może kogoś napiętnować.
G1 insight agencies | =
    Czech delegate: police and health services have almost no formal channel to discuss prevention
    cases.
G1 challenge* funding | funding cycles
    Local authority budgets cut; prevention first to go because it's not a statutory service.
G1 question language | =
    Is "paedophile" a diagnosis, a crime or an insult? The word means different things in law,
    psychiatry and the press.
G1 good_practice values | =
    Where a national strategy names secondary prevention explicitly, services find local buy-in much
    easier.
G1 insight* mandatory access | =
    A Polish delegate explained that even where a therapist is willing to see a client in
    confidence, the duty to notify makes the organisation vulnerable: if a disclosure later comes
    out in court, the service itself may be in breach. So some services turn away anyone who
    mentions past contact offences – which pushes exactly the highest-need people away.
G2 challenge media | =
    Nach jedem großen Missbrauchsfall gibt es eine Debatte über härtere Strafen. Für Prävention
    bleibt dann kaum Raum.
G2 insight mandatory | =
    NL: the reporting code (meldcode) gives professionals steps to follow rather than an absolute
    duty. Seen as workable.
G2 challenge agencies privacy | =
    Legal limits on sharing data between health and justice make joint work slow, even when both
    sides want it.
G2 insight* stigma | =
    Families of people who seek help are stigmatised too. Partners lose friends, children get
    bullied at school.
G2 challenge access | =
    Italy: most treatment is inside prisons. Almost nothing in the community for people who haven't
    offended.
G2 idea values | =
    EU-level minimum standard for prevention services could give national governments political
    cover.
G2 insight access | =
    Rural areas: no specialist therapist within hours of travel. Online therapy the only realistic
    option.
G2 insight language | =
    W polskim prawie i w mediach brakuje neutralnego słowa na osobę z zainteresowaniem seksualnym
    dziećmi, która nie popełniła przestępstwa.
G3 challenge* values agencies | agencies
    Cross-border online offending: perpetrator in one country, victim in another, server in a third.
    Whose law, whose service?
G3 insight public evidence | =
    Public opinion assumed hostile, but the one survey mentioned showed majority support for
    prevention when framed as protecting children.
G3 challenge cycles | =
    Prevention results take 5–10 years, electoral cycles are 4.
G3 question mandatory | =
    If mandatory reporting comes in the UK, what happens to people already in treatment who
    disclosed under the old rules?
G3 insight! agencies | agencies values
    Different ministries own different pieces: justice owns offenders, health owns patients, nobody
    owns the person in between.
G3 challenge language | =
    Translation problem: "grooming", "CSAM", "harmful sexual behaviour" have no agreed equivalents
    in several languages.
G3 good_practice access | =
    Das Netzwerk „Kein Täter werden“ zeigt, dass ein flächendeckendes Angebot möglich ist – aber es
    hat fast zwanzig Jahre gedauert.
G4 challenge stigma | stigma media
    Online vigilante groups ("paedophile hunters") make people afraid to seek help. Some were
    exposed after contacting services.
G4 insight risk | =
    Some risk tools are used in court without validation for that population. Defence lawyers
    starting to challenge them.
G4 challenge cycles staff | =
    Organizacje pozarządowe utrzymują się z grantów, więc co roku zaczynamy od nowa. Trudno
    zatrzymać doświadczonych terapeutów.
G4 insight values public | public
    Social norms differ: in some countries talking about sexuality at all is difficult, which makes
    prevention messaging hard.
G4 good_practice agencies | =
    Local multi-agency panels (police, probation, health) in parts of the UK include prevention
    services as standing members.
G4 question mandatory | =
    Does the Czech duty to report apply to a therapist who only hears about viewing images, not
    contact abuse? Nobody at the table was sure.
G4 insight public | =
    Church abuse scandals changed the climate in some countries – more openness about abuse, but not
    about prevention work with potential offenders.
G5 challenge staff | =
    Lack of trained professionals. Sexology and forensic psychology training rare – some countries
    have a handful of specialists.
G5 insight access stigma | =
    Men with sexual interest in children often isolated, depressed, sometimes suicidal. Services
    rarely framed as mental health.
G5 challenge privacy values | =
    National interpretations of GDPR differ; what one DPO accepts another refuses.
G5 quote! public | =
    "Nobody ever lost an election by being too hard on sex offenders."
G5 idea engagement | engagement dissemination
    Build alliances with child rights organisations – their voice on prevention carries more
    political weight than ours.
G5 insight language public | language
    The political challenge is partly a vocabulary challenge: "treatment for paedophiles" loses,
    "stopping abuse before it happens" wins.
G5 challenge agencies | =
    Courts and probation in some countries don't recognise treatment completed voluntarily before
    conviction.
G5 insight - | -
    Same point as group 2 about the meldcode, see above.
""",
    # 3 National and local good practice
    """
G1 good_practice* access | =
    UK helpline: anonymous phone, chat and email, plus online self-help modules. Callers can stay
    anonymous throughout.
G1 good_practice agencies risk | =
    Circles of Support and Accountability – volunteers around someone released from prison. Exists
    in UK, NL, Belgium.
G1 insight evidence | =
    Good practice is often just "what we do" – very little has been evaluated independently.
G1 challenge access | =
    W jednym z zakładów karnych prowadzony jest program terapeutyczny dla sprawców, ale po wyjściu
    na wolność nie ma kontynuacji.
G1 good_practice access | =
    Deterrence messages on search engines and platforms: people searching for illegal material get a
    warning and a link to help.
G1 idea dissemination values | dissemination evidence
    Document good practice in a common format: target group, model, staffing, cost, level of
    evidence.
G1 insight* values | =
    What travels between countries is the principles, not the service model. Copy the values, adapt
    the delivery.
G1 good_practice* agencies media | agencies
    A Belgian delegate described how one helpline was set up: two years of groundwork with the
    prosecution service and child protection before launch, so that both would say publicly that
    they supported an anonymous service. When the first hostile newspaper article appeared, the
    prosecutor defended the service in the same paper.
G2 good_practice access mandatory | =
    Germany: "Kein Täter werden" – free, confidential therapy at sites across the country, protected
    by medical confidentiality.
G2 good_practice access | =
    Online self-help programmes reach people who would never walk into a clinic. Anonymous,
    available at 2 a.m.
G2 insight staff values | =
    Wichtig ist die Haltung des Teams: Wir arbeiten mit den Menschen, nicht gegen sie. Das muss man
    in der Ausbildung lernen.
G2 good_practice agencies | =
    Norway: close link between the national helpline and specialist health services. Referral in
    days, not months.
G2 insight* dissemination language | =
    Some good practice invisible because it's never published in English.
G2 challenge cycles | =
    Several well-regarded pilots closed when the funding ended, even with good results.
G2 good_practice agencies staff | =
    Dobra praktyka z Poznania: szkolenia dla policjantów i kuratorów prowadzone wspólnie z
    terapeutami. Każda strona lepiej rozumie drugą.
G2 question evidence | =
    Who decides what counts as good practice? Published evaluation, professional consensus, or just
    longevity?
G3 good_practice agencies mandatory | =
    NL: clear referral route from helpline to specialist outpatient treatment, with the meldcode as
    a shared reference point.
G3 good_practice access | =
    Good practice includes the families: support groups for partners and parents of people under
    investigation.
G3 good_practice public | public media
    Awareness campaign in Belgium: simple message plus helpline number. Call volume roughly doubled
    in the weeks after.
G3 insight values | values language
    Dobre praktyki trzeba tłumaczyć nie tylko językowo, ale i kulturowo. Polska rodzina czy parafia
    to inny kontekst niż Holandia.
G3 idea dissemination agencies | =
    Study visits between services. The two partners who did exchanges found them more useful than
    any report.
G3 good_practice risk | =
    Structured professional judgement combined with a static tool instead of a score alone –
    preferred by the clinicians present.
G3 insight staff cycles | =
    Long-serving staff are the real asset. Good practice walks out of the door when they leave.
G3 insight - | -
    Not much new here compared with groups 1 and 2.
G3 insight - | -
    Photo of the flipchart taken – transcribe the list of services later.
G4 good_practice kpis dissemination | =
    One helpline publishes an annual impact report: contacts, self-reported behaviour change, onward
    referrals. Funders like it.
G4 good_practice agencies | =
    In einigen Bundesländern gibt es feste Ansprechpartner bei der Polizei für Präventionsprojekte.
    Das schafft Vertrauen auf beiden Seiten.
G4 good_practice* engagement | engagement language
    Service user advisory group (people who have completed treatment) reviewed the website wording –
    made it far less clinical.
G4 challenge staff cycles | =
    Many "good practices" rely on enthusiastic individuals, not on systems.
G4 good_practice media | =
    Working with a small number of trusted journalists, briefed in advance, produced balanced
    coverage.
G4 insight mandatory values | =
    What is good practice in one legal system (fully anonymous therapy) may be illegal in another.
G4 question access | =
    Any good practice for people with intellectual disabilities? Most programmes assume good
    literacy.
G5 good_practice access risk | =
    Italy: a treatment unit in one prison combines group therapy with work on reintegration.
    Presented as a model, hardly replicated.
G5 good_practice privacy | =
    Good practice in data: helpline keeps only anonymised contact summaries, deleted after a fixed
    period.
G5 good_practice staff | =
    Training for GPs on how to respond when a patient discloses sexual thoughts about children –
    short, practical, with role play.
G5 question access language | =
    Czy ktoś ma doświadczenia z terapią online po polsku? Za granicą mieszka wielu Polaków, którzy
    nie będą szukać pomocy w obcym języku.
G5 insight values | =
    Values behind all the examples: respect, non-judgement, child protection first.
G5 quote! evidence | =
    "Good practice isn't good until someone has checked that it works."
G5 idea evidence dissemination | evidence
    The 2PS repository should flag evidence level honestly: "evaluated", "promising", "not yet
    evaluated".
""",
    # 4 Engaging the service user, professionals, policymakers and the public
    """
G1 insight engagement stigma | engagement
    Service users are rarely asked. People who have sought help could tell us why they hesitated and
    what nearly stopped them.
G1 challenge engagement privacy | =
    Engaging people with a sexual interest in children safely: anonymity, no photos, no names,
    careful moderation of any online panel.
G1 good_practice engagement | =
    Lived experience panel (anonymous, online) advised on helpline scripts.
G1 challenge agencies | =
    Policjanci i prokuratorzy często nie wiedzą, że takie usługi w ogóle istnieją. Trzeba do nich
    docierać osobno.
G1 insight public language | =
    Public engagement has to be framed around children's safety, not around the offender's
    wellbeing.
G1 idea engagement dissemination | =
    Involve policymakers early – invite them to see the service, not just read the final evaluation.
G1 question media | =
    How do we engage the media without it turning into a "paedophile clinic" story?
G1 quote! engagement | =
    "If you only talk to professionals, you design a service for professionals."
G2 insight staff engagement | =
    Professionals outside the field (teachers, GPs, social workers) are first to hear worries but
    have no script for responding.
G2 idea public language | language
    Öffentlichkeitsarbeit braucht klare, einfache Botschaften. Fachbegriffe schrecken eher ab.
G2 challenge engagement cycles | =
    Policymakers change often; relationships built with one adviser are lost after an election.
G2 insight agencies | =
    Probation wants prevention services to take referrals, but the services fear becoming part of
    supervision.
G2 good_practice engagement agencies | =
    Annual stakeholder day at one service: police, probation, health, charities. Small, but keeps
    the network alive.
G2 insight stigma reporting | reporting
    Osoby szukające pomocy boją się, że ich dane trafią na policję. Zaufanie buduje się miesiącami,
    a traci w jeden dzień.
G2 challenge language | =
    Disciplines speak different languages: "client", "patient", "offender", "service user" for the
    same person.
G2 idea dissemination language | =
    Short video explaining what a prevention service does, for professionals, in every partner
    language.
G3 insight engagement | =
    Keeping people engaged is harder than starting. Stakeholder groups fade after the launch.
G3 challenge*! agencies | agencies staff
    Implementation fails when frontline police don't know the referral route. Top-level agreement
    means nothing on a night shift.
G3 good_practice public engagement | =
    Public information events in Belgium co-hosted with a child protection charity – much less
    hostility.
G3 question engagement public | =
    Jak zaangażować polityków, którzy publicznie nie chcą być kojarzeni z tym tematem? Może przez
    rozmowy nieoficjalne?
G3 insight engagement kpis | kpis
    Service users should help design outcome measures. What success means to them (feeling in
    control) isn't what we measure.
G3 insight stigma staff | =
    Staff need confidence to talk about their work outside. Many tell friends they "work in mental
    health".
G3 idea values engagement | values
    Shared charter of values signed by all partner organisations – something to point to when
    engaging new partners.
G3 question engagement cycles | =
    What does "maintenance" mean for engagement? Who keeps the stakeholder list up to date when the
    project officer leaves?
G4 insight engagement public | =
    Young people should be consulted on prevention messages aimed at young people – adults get the
    tone wrong.
G4 challenge privacy engagement | =
    Consulting service users needs ethics approval even for informal feedback. Slows everything
    down.
G4 insight engagement stigma | =
    Viele Klienten wollen sich einbringen, aber nur völlig anonym. Schon ein Vorname ist für manche
    zu viel.
G4 good_practice* media language | media
    Press kit with agreed terminology and a few anonymised case stories. Journalists actually used
    it.
G4 insight engagement evidence | =
    Policymakers respond to stories from their own constituency. Local data beats European averages.
G4 question* engagement | =
    Who speaks for the service user at policy level? No association or advocacy group for this
    population in most countries.
G4 challenge media staff | =
    Comments under online articles about the service mostly abusive. Staff were upset.
G5 insight engagement | =
    Engagement must be continuous, not a one-off consultation at the start of a project.
G5 good_practice agencies staff | =
    Joint training days for therapists and police in one Czech region reduced mistrust on both
    sides.
G5 insight language public | =
    Społeczeństwo rozumie profilaktykę, jeśli mówimy o ochronie dzieci, a nie o „pomocy pedofilom”.
    Słowa mają ogromne znaczenie.
G5 challenge engagement funding | funding
    Engaging professionals costs time nobody is paid for. Stakeholder work is missing from most
    budgets.
G5 insight values | comms
    Everyone at the table agreed the aim is the same (no child harmed). The disagreement is about
    the route.
G5 question media public | public
    Could a respected public figure front a campaign? Risky, but it might shift the narrative.
G5 idea - | -
    Next workshop: invite someone from a ministry of health, not only justice.
""",
    # 5 Framing the intervention and what this means for data collection and evaluation
    """
G1 insight evidence language | evidence
    How you frame the intervention (health vs justice) decides what data you are allowed to collect
    and who will pay for the evaluation.
G1 challenge* data access | =
    Anonymous services collect almost nothing linkable. Can't follow anyone up to see whether they
    offended later.
G1 question kpis values | kpis
    Is the goal "no offence" or "a better life"? These need different outcome measures.
G1 insight language | =
    Public health framing lets us talk about population-level reduction rather than individual risk.
G1 insight data values | =
    W Polsce nie ma jednolitego systemu zbierania danych o osobach zgłaszających się po pomoc. Każda
    organizacja robi to po swojemu.
G1 good_practice evidence data | =
    Logic model drawn up with staff before data collection started – made clear what each question
    was for.
G1 idea data values | data kpis
    Minimum common data set for all 2PS services: age band, contact channel, reason for contact,
    referral made.
G1 insight - | -
    Framing for funders and framing for clients can't be the same document.
G2 challenge* evidence | =
    Interventions rarely described precisely enough to evaluate. "Therapy" can mean 6 sessions or 2
    years.
G2 insight privacy data | =
    Wenn wir das Angebot als Therapie definieren, gelten die Regeln für Gesundheitsdaten. Als
    Beratung wäre die Datenerhebung einfacher.
G2 insight risk | =
    Risk tools designed for convicted offenders don't fit non-offending help-seekers. Framing
    decides which tool you pick.
G2 question data access | =
    Should online self-help programmes collect data at all? Any login requirement reduces uptake.
G2 challenge data evidence | =
    Drop-out: the people who leave early are exactly the ones we most need data on.
G2 idea kpis | kpis evidence
    Frame the intervention as a pathway (contact – engagement – treatment – maintenance) and measure
    at each stage.
G2 challenge language | =
    Słowo „interwencja” kojarzy się u nas z policją albo z interwencją kryzysową. Lepiej mówić o
    „programie wsparcia”.
G3 insight evidence | =
    Theory of change missing for most services – they know what they do, not why it should work.
G3 challenge data staff | =
    Clinicians resist questionnaires; they feel it damages the therapeutic relationship.
G3 insight evidence access | =
    Helplines framed as "signposting", but many callers get a brief intervention in the first call.
    Nobody evaluates that.
G3 good_practice kpis risk | =
    Dynamic risk factors (sexual preoccupation, emotional loneliness) used as intermediate outcomes,
    measured at intake and every 3 months.
G3 question privacy | =
    If the intervention is framed as crime prevention, does the law enforcement data protection
    directive apply instead of the GDPR?
G3 challenge evidence | =
    Evaluationen sind bei uns meist Selbstevaluationen. Unabhängige Forschung ist die Ausnahme.
G3 idea values language | language
    Agree a shared typology of interventions across Europe so data can be compared.
G4 insight data funding | =
    Routine data collected for the funder rarely useful for research – different questions,
    different time points.
G4 challenge* evidence cycles | evidence
    Evaluation has to start at the design stage. Usually it's bolted on in the last year of a
    project.
G4 question data access | =
    Czy możemy pytać anonimowego rozmówcę o wiek i miejsce zamieszkania? Niektórzy od razu się
    rozłączają.
G4 insight kpis | =
    Different frames give different denominators. Who counts as "at risk" changes the success rate
    completely.
G4 good_practice data | =
    One service asks three optional questions at the end of each chat. Response rate about 40 %.
G4 insight data agencies | =
    When the intervention sits inside probation, the data is "owned" by the justice ministry and
    researchers need separate agreements.
G4 challenge language public | =
    Too clinical a frame and the public doesn't understand it; too much crime prevention and clients
    stay away.
G5 insight evidence | =
    Mixed methods: numbers alone can't capture why someone stayed in treatment.
G5 quote! evidence | =
    "If you can't say what the intervention is, you can't say whether it worked."
G5 challenge data language | =
    Data collected in one language and coded in another – meaning gets lost, categories don't match.
G5 insight access risk | =
    Self-help vs treatment changes who comes: self-help reaches people earlier, treatment reaches
    higher risk.
G5 idea kpis | =
    Use routine outcome monitoring from mental health services as a template instead of inventing
    new instruments.
G5 question evidence privacy | =
    Can a randomised trial ever be ethical here? Waiting-list controls were mentioned, but leaving
    someone without help is a risk to children.
G5 insight evidence | =
    A researcher described the gap between the service as written in the bid (a 12-session
    programme) and the service as delivered (anything from one call to two years of contact). An
    evaluation based on the bid would have measured something that never existed. Advice: describe
    the service as delivered, after six months, and only then fix the evaluation questions.
""",
    # 6 Identifying key performance indicators & measuring success
    """
G1 challenge* kpis | =
    Reoffending is the obvious KPI, but it's a rare event, base rates are low, and most of our
    clients have no conviction to reoffend from.
G1 insight* kpis | =
    Proxy measures discussed: self-reported control over urges, reduced CSAM use, wellbeing, social
    connectedness.
G1 quote! kpis | kpis evidence
    "We measure what is easy to count and then call it success."
G1 insight kpis funding | =
    Grantodawcy pytają o liczbę osób, do których dotarliśmy. To mówi coś o zasięgu, ale nic o
    skuteczności.
G1 question kpis access | =
    Is a call that ends with the caller saying "I'll delete the material tonight" a success? How
    would we ever know?
G1 good_practice kpis funding | =
    Service agreed KPIs with its funder in year 1 including process measures (response time,
    referral completed), not just outcomes.
G1 insight values kpis | kpis
    KPIs need to be agreed across countries or comparison is meaningless.
G2 challenge kpis | kpis evidence
    Rückfallquoten sind als Erfolgsmaß kaum brauchbar. Das Dunkelfeld ist riesig, viele Taten werden
    nie angezeigt.
G2 insight risk kpis | =
    Change in risk score between intake and discharge suggested as a KPI; clinicians warned the
    scores aren't designed for that.
G2 insight kpis evidence | =
    Engagement is itself an outcome: retention in treatment goes with reduced risk in the few
    studies there are.
G2 idea kpis engagement | =
    Ask service users at the end: "Do you feel more able to keep children safe?" Simple, meaningful.
G2 challenge data kpis | =
    Helplines can count contacts but not people – the same person may call 20 times.
G2 idea kpis staff | =
    Proponuję mierzyć także wiedzę i postawy profesjonalistów po szkoleniach – to też jest efekt
    projektu.
G2 insight kpis public | =
    Campaign KPIs: website visits, calls after adverts, change in attitudes in a population survey.
G3 insight kpis language | kpis
    Success looks different at each level: primary = awareness, secondary = help-seeking and
    control, tertiary = reoffending.
G3 challenge cycles kpis | cycles
    Funders want KPIs that show results within the grant period. Favours short-term measures.
G3 good_practice kpis | =
    Validated scales already exist for some intermediate outcomes (sexual compulsivity,
    self-efficacy). Use them rather than invent new ones.
G3 insight evidence | evidence kpis
    „Kein Täter werden“ wurde mit Kontrollgruppe evaluiert, aber mit sehr kleinen Stichproben. Die
    Ergebnisse werden ganz unterschiedlich interpretiert.
G3 question* kpis values | =
    Whose success? Child protection, the client, the funder and the politician each want a different
    number.
G3 insight kpis dissemination | =
    Qualitative indicators (case studies, client narratives) dismissed by funders but often what
    convinces policymakers.
G3 challenge kpis language | =
    Nie mamy zwalidowanych polskich wersji narzędzi typu Static-99R czy Stable-2007. Tłumaczymy sami
    i nie wiemy, czy mierzą to samo.
G4 insight* kpis access | =
    Time from first contact to first appointment is a useful KPI – long waits lose people.
G4 challenge evidence | =
    Attributing change to the service is almost impossible: clients often use several kinds of
    support at once.
G4 idea data privacy | =
    Link anonymised service data to national crime records, with consent, as some Nordic studies
    have done.
G4 insight staff kpis | =
    Staff KPIs matter too: turnover, sickness, supervision hours. Burnout undermines every other
    outcome.
G4 good_practice kpis | =
    Short outcome questionnaire at sessions 1, 6 and 12. Staff sceptical at first, now use it
    clinically too.
G4 question - | -
    Open question from the group: report KPIs by country or pooled?
G4 insight mandatory kpis | =
    Countries with mandatory reporting will have lower self-disclosure, so any KPI built on
    disclosure isn't comparable.
G5 insight kpis risk | =
    A service can be successful and still look bad on numbers if it takes the highest-risk clients.
G5 challenge kpis language | =
    No shared definition of "completion": some count 6 sessions, some require a relapse prevention
    plan.
G5 idea* kpis values | =
    Tiered KPI set: a small core everyone reports, plus optional service-specific measures.
G5 question kpis data | data
    Could platform data (warning messages shown, click-throughs to help) count as an outcome for
    deterrence campaigns?
G5 insight! evidence | =
    Everyone at the table agreed: measuring nothing is worse than measuring imperfectly.
G5 challenge funding kpis | =
    Measuring success properly costs 10–15 % of the budget. Rarely funded.
G5 idea kpis | =
    Borrow from suicide prevention: outcomes there are rare events too, and that field uses
    help-seeking, crisis contacts and safety plans as indicators.
G5 insight - | -
    Time ran out before the group got to staff KPIs.
""",
    # 7 Research ethics, data protection, and criminal justice interventions
    """
G1 challenge* privacy | =
    Under the GDPR, data on sexual interest and offences is special category / criminal offence
    data. Every study needs a strong legal basis, and many DPOs say no by default.
G1 insight privacy mandatory | privacy reporting
    Researchers interviewing help-seekers may hear about offences. Do they have a duty to report?
    Varies by country and by university.
G1 challenge privacy stigma | =
    Komisje etyczne rzadko oceniają badania z udziałem tej grupy. Jedna komisja odesłała wniosek, bo
    „temat jest zbyt kontrowersyjny”.
G1 insight data agencies | =
    Criminal justice partners hold the best data but share it under agreements that take 6–12 months
    to negotiate.
G1 good_practice privacy engagement | =
    Consent form written with service users: plain language, clear about what would be reported and
    to whom.
G1 question privacy | =
    Can you do research with anonymous chat logs if users accepted the terms of service but never
    consented to research?
G1 idea privacy values | =
    Template data protection impact assessment (DPIA) for prevention services that all partners can
    adapt.
G1 quote! privacy evidence | privacy
    "Ethics committees protect the participants from us. Nobody protects the children from the lack
    of evidence."
G2 insight privacy | =
    Die Datenschutzbeauftragten der Kliniken sind sehr vorsichtig. Ohne Einwilligung für jede
    einzelne Verwendung geht gar nichts.
G2 challenge privacy risk | =
    Research in custody: is consent ever really free if parole decisions depend on "engaging"?
G2 insight staff | =
    Researchers need support too – hearing detailed accounts of abuse affects them.
G2 challenge privacy data | =
    Retention rules clash: some funders require data kept 10 years, the GDPR says as short as
    possible, services promise deletion.
G2 question* reporting privacy | =
    If a research participant reveals a current victim, the researcher must act – but how, and to
    whom, in a cross-border study?
G2 insight privacy access | =
    Nagrywanie rozmów na telefonie zaufania jest możliwe tylko za zgodą dzwoniącego. W praktyce
    prawie nikt się nie zgadza.
G2 good_practice* privacy data | =
    Pseudonymisation at source: the service generates codes, researchers never see identities.
G2 insight privacy values | =
    Ethics standards vary so much between universities in the consortium that one joint study needed
    five separate approvals.
G3 insight privacy agencies | =
    Police interest in research data is a real risk: a court order or data request could expose
    participants.
G3 challenge privacy | =
    Ethics boards unfamiliar with the field demand safeguards that make recruitment impossible.
G3 insight risk evidence | evidence
    Criminal justice interventions are usually mandated. Don't mix voluntary and mandated clients in
    one evaluation without care.
G3 challenge privacy access | =
    Wir dürfen keine IP-Adressen speichern, wollen aber Missbrauch des Chats verhindern. Das ist ein
    echter Zielkonflikt.
G3 insight privacy | =
    Something like the US certificate of confidentiality, protecting research data from subpoena,
    doesn't exist in Europe.
G3 question data | =
    Who owns data produced in EU projects when the project ends? Services worry it will be reused
    without them.
G3 insight mandatory privacy | =
    Badacz w Polsce też podlega obowiązkowi zawiadomienia. Trzeba to jasno napisać w formularzu
    zgody.
G3 insight privacy language | =
    "Anonymous", "pseudonymised", "confidential" used loosely in consent forms. Participants don't
    know the difference.
G4 insight privacy values | =
    The offence data article of the GDPR (Art. 10) is interpreted very differently across member
    states.
G4 challenge risk agencies | =
    Sharing risk assessments between prison and community services patchy; reports get lost or are
    not allowed to be sent.
G4 insight staff evidence | =
    Practitioners see research as extra paperwork unless they get something back, e.g. feedback on
    their own clients.
G4 idea privacy values | =
    European guidance on ethics for research with people with a sexual interest in children,
    endorsed by the consortium.
G4 challenge evidence stigma | =
    Recruiting non-offending participants is very hard; those who volunteer are probably not
    typical.
G4 question privacy | =
    Can researchers use publicly visible darknet forum posts? Ethically grey, legally unclear.
G4 good_practice agencies privacy | =
    Probation in one UK region has a research governance officer who speeds up approvals. A single
    contact point helps.
G5 insight! privacy agencies | agencies
    Data protection is often used as an excuse not to share when the real problem is trust.
G5 challenge privacy | =
    Online self-help tools hosted outside the EU raise data transfer questions. Some services had to
    change provider.
G5 insight reporting risk | =
    In criminal justice settings anything said in treatment may end up in a parole report. Clients
    know and censor themselves.
G5 idea staff privacy | =
    Joint ethics training for researchers and practitioners, so each understands the other's
    constraints.
G5 insight privacy values | =
    Be honest with participants about the limits of anonymity – trust is the whole basis of the
    work.
G5 insight* privacy reporting agencies | =
    A probation officer explained that anything a person under supervision says in a treatment group
    can be shared with the supervising officer and may appear in reports to the parole board.
    Researchers evaluating the programme have to decide whether their interviews sit inside or
    outside that chain. In one evaluation they negotiated that they sit outside – it took four
    months and three lawyers.
G5 insight - | -
    Ran over time on this one. Strong feelings about ethics boards.
""",
    # 8 How do we fund and support evaluation?
    """
G1 challenge* cycles evidence | cycles
    Evaluation takes longer than the funding cycle. 3-year projects: year 1 set-up, year 2 delivery,
    year 3 trying to evaluate and find new money at the same time.
G1 insight funding evidence | =
    Evaluation rarely has its own line in the service budget and is the first thing cut when money
    is tight.
G1 challenge funding evidence | =
    Polskie fundacje nie mają pieniędzy na ewaluację. Robimy ją po godzinach, bez wsparcia
    naukowców.
G1 idea* funding | =
    Ring-fence 10 % of every prevention grant for independent evaluation. Make it a condition of
    funding.
G1 good_practice funding evidence | =
    University–charity partnership: PhD student embedded in the helpline, funded by a research
    council, evaluation is the thesis.
G1 question cycles | =
    Horizon Europe pays for research, but who pays to keep the service running so there is something
    to evaluate?
G1 insight kpis funding | =
    Funder and service need to agree at the start what success will mean in the evaluation.
G2 insight funding | =
    In Deutschland übernehmen die Krankenkassen inzwischen einen Teil der Therapiekosten. Die
    Evaluation muss aber weiterhin extra finanziert werden.
G2 challenge funding agencies | =
    Small organisations can't write competitive research bids. They need academic partners, who then
    set the agenda.
G2 insight evidence | evidence funding
    Independence matters: evaluation paid for by the service itself is less credible to
    policymakers.
G2 idea* funding values | =
    Pool evaluation across countries. One multi-site study is cheaper and stronger than eight small
    ones.
G2 question funding | =
    Czy fundusze unijne mogą pokryć ewaluację usług finansowanych przez państwo? Nikt nie wiedział
    na pewno.
G2 insight cycles staff | =
    Staff turnover at the end of each grant: the people who know the data are gone by the time the
    evaluation is written.
G2 challenge funding stigma | funding media
    Some private foundations declined – reputational risk of being linked to "paedophile services".
G3 insight funding | =
    Government funders like to fund delivery, research councils like to fund novelty. Evaluating
    existing services falls between the two.
G3 good_practice cycles kpis | =
    One national helpline got a 5-year contract after presenting 3 years of consistent monitoring
    data.
G3 idea cycles | =
    Wir brauchen eine Verstetigung der Finanzierung, nicht immer neue Pilotprojekte.
G3 challenge funding evidence | =
    Funders ask for RCTs but won't fund a study of the size needed.
G3 insight dissemination funding | =
    Evaluations must be written up for funders in plain language. Academic papers don't secure
    renewal.
G3 question funding | =
    Could tech companies whose platforms host the material be asked to fund prevention and its
    evaluation?
G3 insight agencies funding | agencies dissemination
    Współpraca z uczelnią pomogła nam zdobyć grant badawczy, ale uczelnia chciała publikacji, a my –
    wniosków dla praktyki.
G4 challenge funding data | =
    Hidden costs of evaluation: staff time for data entry, training, IT systems, data protection
    advice.
G4 quote! funding evidence | =
    "No evidence, no money. No money, no evidence."
G4 idea funding values | =
    EU-level framework contract for evaluation that any national prevention service could call on.
G4 good_practice privacy evidence | =
    Evaluation framework agreed with the data protection officer at the very start saved months
    later.
G4 challenge cycles public | =
    The minister who funded a pilot may be gone before the evaluation is published.
G4 insight staff | =
    Practitioners need protected time to contribute to evaluation, not only to collect data for it.
G4 question funding agencies | =
    Should evaluation come from justice, health or research budgets? Each says it's the other's job.
G5 insight funding evidence | =
    Economic evaluation (cost per case prevented) would speak to the treasury but needs assumptions
    many find uncomfortable.
G5 idea evidence values | =
    Europe-wide evaluation network to share instruments, analysts and ethics templates.
G5 challenge funding | funding cycles
    Evaluation budgets in EU projects often go on deliverable reports, not actual outcome research.
G5 insight cycles | =
    Po zakończeniu projektu zostają materiały szkoleniowe, ale nie ma kto ich aktualizować.
G5 good_practice funding agencies | =
    In-kind support from universities (student projects, master's theses) can cover small evaluation
    tasks.
G5 idea funding kpis | kpis
    Some funders would accept a shared outcome framework across services if someone else designs it.
    Offer to do that as part of 2PS?
G5 question - | -
    Who from the funders was in the room? Answer: nobody.
""",
    # 9 Disseminating research findings, sharing data, and impact on policy and practice
    """
G1 insight* dissemination staff | =
    Practitioners don't read journals. Findings have to arrive as training, briefings and changes to
    guidance.
G1 challenge dissemination language | =
    Most research is in English and behind paywalls. Polish, Czech and Italian practitioners rarely
    see it.
G1 idea dissemination language | =
    Streszczenia wyników w językach narodowych, krótkie, najwyżej dwie strony – to by naprawdę
    pomogło.
G1 good_practice* dissemination | =
    Two-page policy brief with three recommendations got into a ministry working group.
G1 insight media dissemination | =
    Media coverage of research picks the shocking numbers, not the prevention message.
G1 question data privacy | =
    Can anonymised helpline data be shared across countries for a joint analysis? Legally unclear.
G1 quote! dissemination | =
    "A report nobody reads is not impact, it's storage."
G2 insight dissemination engagement | =
    Forschung erreicht die Politik meist nur über persönliche Kontakte. Ein Bericht allein ändert
    nichts.
G2 insight values dissemination | values
    Consistent messages across countries add credibility – if every partner says something
    different, policymakers notice.
G2 challenge data privacy | =
    Data sharing agreements between partners took longer than the research itself.
G2 idea dissemination data | =
    Open access repository of tools, manuals and evaluations – the 2PS repository could host it.
G2 insight evidence dissemination | =
    Negative findings should be published too; otherwise services repeat the same mistakes.
G2 challenge public language | public
    Politycy w Polsce boją się tego tematu. Wyniki badań trzeba przedstawiać jako ochronę dzieci,
    inaczej nikt ich nie przeczyta.
G2 good_practice dissemination agencies | =
    Practitioner–researcher co-authorship: paper written with the helpline team, then presented at
    their own conference.
G3 insight dissemination | =
    Impact on practice comes faster than impact on policy – practitioners adopt what works for them.
G3 challenge media privacy | =
    Journalists ask for individual stories. Services can't provide them without risking clients.
G3 idea language | language values
    Use the Luxembourg Guidelines terminology consistently in all outputs.
G3 challenge dissemination agencies | =
    Es fehlt eine Plattform, auf der sich Praxis und Forschung regelmäßig austauschen. Konferenzen
    sind zu teuer und zu selten.
G3 insight media stigma | stigma
    The public narrative changes slowly; every balanced article helps make help-seeking normal.
G3 question dissemination kpis | =
    How do we measure the impact of dissemination itself? Downloads tell us very little.
G3 insight agencies data | =
    Wymiana danych między policją a organizacjami pomocowymi praktycznie nie istnieje. Każdy ma swój
    kawałek obrazu.
G4 insight* dissemination cycles | =
    Policy impact is about timing: findings must be ready when a strategy is being written, not two
    years later.
G4 good_practice dissemination staff | dissemination language
    Webinar series for frontline staff in all partner countries, with live interpreting. High
    attendance.
G4 challenge values | =
    Without a common framework each country reads the findings through its own legal lens.
G4 insight language public | language
    Public health framing helps: it makes the topic speakable in health ministries.
G4 idea engagement dissemination | =
    Invite policymakers to co-write the recommendations – then they own them.
G4 question privacy | =
    Case examples in training: how anonymised is anonymised enough in a small country?
G4 insight - | -
    Link to Q5/Q6 – same issues keep coming back.
G5 insight access dissemination | =
    Delegates want one place to find which prevention services exist in which country and language.
G5 challenge media stigma | =
    Language like "monster" or "beast" in headlines directly discourages people from seeking help –
    research on stigma shows this.
G5 idea* dissemination | =
    An annual European prevention report, like the IOCTA for law enforcement, but for prevention.
G5 insight staff dissemination | =
    Training is the most reliable route from research to practice. Build findings into curricula for
    police and probation.
G5 good_practice dissemination access | =
    Findings of the anonymous CSAM user survey presented directly to platform companies, who then
    added help messages.
G5 good_practice media staff | =
    Media training for practitioners: short sessions on giving an interview about prevention without
    defending offenders or giving case details.
G5 insight evidence dissemination | research evidence
    Small countries can't build an evidence base alone; they need pooled European findings they can
    cite to their own ministries.
""",
]


def _keys(field: str) -> list[str]:
    """Theme keys from one side of a header: ``-`` means none."""
    return [] if field.strip() == "-" else field.split()


def _parse_block(question: int, block: str) -> list[dict]:
    """The notes of one question, from the compact form described in the module docstring."""
    notes: list[dict] = []
    for line in block.strip().splitlines():
        if line.startswith(" "):
            text = notes[-1]["text"]
            notes[-1]["text"] = f"{text} {line.strip()}" if text else line.strip()
            continue
        head, b_field = line.split("|")
        group, kind, *a_keys = head.split()
        a = _keys(" ".join(a_keys) or "-")
        notes.append(
            {
                "question": question,
                "group": int(group[1:]) - 1,
                "kind": kind.rstrip("*!"),
                "text": "",
                "starred": "*" in kind,
                "a": a,
                "b": list(a) if b_field.strip() == "=" else _keys(b_field),
                "quote": "!" in kind,
            }
        )
    return notes


NOTES: list[dict] = [
    note for question, block in enumerate(_NOTE_BLOCKS) for note in _parse_block(question, block)
]

SUMMARIES: dict[int, str] = {
    0: "All five groups agreed that the need for secondary prevention is real but hard to "
    "evidence. The target population is hidden, prevalence data are scarce, and services mostly "
    "count the people who already come forward: helpline contacts, waiting lists and self-report "
    "surveys of anonymous CSAM users were the best proxies available. Justification was framed in "
    "three ways: child protection ('every victim is one too many'), cost (a prosecution and prison "
    "sentence against a year of outpatient therapy) and comparison with what neighbouring "
    "countries already fund. Delegates stressed that implementation costs such as supervision and "
    "out-of-hours cover are routinely underestimated, that short pilot funding ends before need "
    "can be demonstrated, and that prevention is still too easily seen as helping offenders rather "
    "than protecting children.",
    1: "Discussion centred on the tension between confidentiality and the duty to report. "
    "Reporting obligations differ sharply between countries: a legal duty for everyone in Poland, "
    "a duty to avert ongoing or future harm in Norway, medical confidentiality as the foundation "
    "of the German model, and an open debate about mandatory reporting in the UK. Delegates agreed "
    "that the limits of confidentiality must be explained at first contact and set out in team "
    "policy rather than left to individual conscience. Other questions concerned anonymous help "
    "where risk to a child cannot be checked, the use with non-offending help-seekers of risk "
    "tools validated on convicted men, the support owed to family members, and the wellbeing of "
    "staff who hear distressing material every day. Several groups noted that refusing a service "
    "is itself an ethical choice.",
    2: "Legal, social and political challenges were closely linked. Legal frameworks, reporting "
    "duties and interpretations of the GDPR differ so much that a service model cannot simply be "
    "copied across borders, and cross-border online offending raises the question of whose law "
    "and whose service applies. Politically, prevention competes with calls for tougher sentences "
    "after high-profile cases, and its results take longer than an electoral cycle. Socially, "
    "stigma reaches beyond the person seeking help to their family, is amplified by vigilante "
    "groups online and weighs heavily in small communities. Delegates also described a "
    "structural gap: justice owns offenders, health owns patients, and nobody owns the person in "
    "between. A shortage of trained specialists and the lack of neutral vocabulary in several "
    "languages add to these problems.",
    3: "Delegates shared a wide range of practice: anonymous helplines with chat and self-help "
    "modules, confidential therapy networks protected by medical confidentiality, online "
    "self-help programmes, deterrence messages on search engines and platforms, Circles of "
    "Support and Accountability, joint training for police, probation and therapists, and service "
    "user panels that reviewed public wording. The groups were candid that much of this practice "
    "has never been independently evaluated and depends on committed individuals rather than "
    "systems; several successful pilots closed when their funding ended. There was broad "
    "agreement that what travels between countries are the principles – respect, non-judgement "
    "and child protection first – rather than the service model itself, and that the 2PS "
    "repository should describe practice in a common format and state its level of evidence "
    "honestly.",
    4: "Engagement was seen as essential but uneven. Service users are rarely consulted, although "
    "people who have sought help can explain what nearly stopped them; where anonymous "
    "lived-experience panels existed they improved scripts and websites. Professionals outside "
    "the specialist field – teachers, GPs, frontline police – often hear concerns first but do "
    "not know the referral routes, and agreements made at the top do not reach the night shift. "
    "Policymakers change often and are reluctant to be associated with the topic in public, so "
    "relationships need constant renewal, and local stories carry more weight than European "
    "averages. For the public and the media, delegates recommended framing around children's "
    "safety, agreed terminology and a few trusted journalists. Engagement is continuous work that "
    "is rarely budgeted.",
    5: "How an intervention is framed – as health care, crime prevention or self-help – determines "
    "which data may be collected, which legal regime applies and who will pay for evaluation. "
    "Many services cannot describe their intervention precisely enough to evaluate it, lack a "
    "theory of change, and add evaluation late in a project. Anonymous and online services "
    "collect little linkable data, and the people who drop out are those about whom least is "
    "known. Suggestions included a logic model agreed with staff before data collection, a "
    "minimum common data set for 2PS services, a shared typology of interventions across Europe, "
    "and a staged pathway from first contact to maintenance with measurement at each stage. Risk "
    "tools designed for convicted offenders were felt to fit non-offending help-seekers poorly.",
    6: "Reoffending, the obvious indicator, was judged of limited use: base rates are low, most "
    "help-seekers have no conviction, and most offending is never reported. Groups proposed "
    "intermediate and process measures instead: self-reported control over urges, reduced CSAM "
    "use, wellbeing and social connectedness, retention in treatment, and time from first contact "
    "to first appointment. Funders' focus on reach and on results within the grant period was "
    "criticised, and differences in reporting duties and in definitions of 'completion' make "
    "comparison between countries difficult. Delegates favoured a tiered set of indicators – a "
    "small common core plus service-specific measures – using validated instruments where they "
    "exist in national languages. The shared view was that measuring imperfectly is better than "
    "measuring nothing.",
    7: "Research with people who have a sexual interest in children touches the strictest parts of "
    "data protection law: special category and criminal offence data, for which data protection "
    "officers and ethics committees often default to refusal. Delegates described committees "
    "unfamiliar with the field, inconsistent national readings of the GDPR and several separate "
    "approvals for one cross-border study. Researchers, like practitioners, may hear disclosures "
    "and face reporting duties that vary by country and institution, so consent forms must be "
    "honest about the limits of anonymity. In criminal justice settings, the voluntariness of "
    "consent and the use of treatment material in parole decisions were raised. Practical answers "
    "included pseudonymisation at source, a template DPIA, European ethics guidance and joint "
    "ethics training for researchers and practitioners.",
    8: "Delegates described a closed loop: without evaluation services cannot secure funding, and "
    "without funding they cannot evaluate. Evaluation takes longer than typical grant cycles, is "
    "seldom a budget line of its own, and falls between government funders, who pay for "
    "delivery, and research councils, who pay for novelty. Small organisations depend on academic "
    "partners who may set a different agenda. Proposals included ring-fencing around 10 % of "
    "prevention grants for independent evaluation, pooled multi-site studies across countries, "
    "doctoral researchers embedded in services, and contributions from technology companies. "
    "Health insurance cover for therapy in Germany was noted as a route to stable delivery, "
    "though evaluation still needs separate money. Staff turnover at the end of each grant, and "
    "political change, repeatedly erode what has been learnt.",
    9: "Delegates agreed that publication alone does not produce impact. Practitioners rarely read "
    "journals, much research is in English and behind paywalls, and findings reach policy mainly "
    "through personal contacts and well-timed briefings. Preferred routes were short summaries in "
    "national languages, two-page policy briefs, training curricula for police and probation, "
    "webinars with interpreting, and co-authorship with practitioners and policymakers. Data "
    "sharing between countries, and between police and support organisations, remains legally "
    "unclear and slow. Media coverage tends to pick shocking figures and stigmatising language, "
    "which discourages help-seeking; consistent terminology and a public health framing were seen "
    "as helping. Delegates asked for a single European overview of prevention services, an annual "
    "report on prevention, and for negative findings to be published too.",
}

THEME_SUMMARIES: dict[str, str] = {
    "comms": "Consistent communication and shared values ran through every question. Delegates "
    "from all sectors agreed on the aim – no child harmed – but used different words for the same "
    "people and interventions ('client', 'patient', 'offender'), understood primary, secondary "
    "and tertiary prevention differently, and found that key terms have no agreed equivalents in "
    "several languages. Communication between police, probation, therapists and helplines is "
    "often informal and depends on individuals, and health and justice ministries each own only "
    "part of the problem. Public and media narratives that use stigmatising language were seen as "
    "a direct barrier to help-seeking, while framing prevention as protecting children made the "
    "topic speakable for politicians and the public. Delegates called for a common language "
    "within a public health framework, a shared charter of values, consistent messages across "
    "countries, and continuous rather than one-off engagement with service users, professionals "
    "and policymakers.",
    "research": "Research and funding were inseparable in the discussion. The evidence base for "
    "secondary prevention is thin: few services have been independently evaluated, interventions "
    "are not described precisely, anonymous services collect little linkable data, and the "
    "obvious outcome – reoffending – is rare and poorly recorded. Delegates proposed intermediate "
    "and process indicators, a minimum common data set and a tiered set of KPIs. Short funding "
    "cycles undermine both delivery and evaluation: pilots close before results are available, "
    "the staff who hold the knowledge leave, and evaluation is rarely budgeted. Suggested "
    "remedies included ring-fenced evaluation funding, pooled multi-site studies and "
    "university–service partnerships. Findings must reach practice and policy through training, "
    "short briefings in national languages and well-timed contact with policymakers, rather than "
    "through journal articles alone.",
    "ethics": "Service ethics, risk assessment and reporting formed the third theme. The central "
    "tension is between confidentiality, which makes help-seeking possible, and the duty to "
    "protect children, expressed in reporting obligations that differ markedly between countries "
    "– from a general legal duty to notify in Poland to medical confidentiality in Germany and an "
    "open debate in the UK. Delegates asked for the limits of confidentiality to be explained at "
    "first contact and set out in team policies. Risk assessment tools validated on convicted "
    "men were felt to fit non-offending help-seekers poorly and to risk false positives. Research "
    "ethics and data protection raise the same questions for researchers. Delegates also "
    "highlighted access – anonymous, online and out-of-hours routes, young people, family "
    "members – and the training, supervision and wellbeing of the staff who carry this work.",
}

DISCUSSION_POINTS: list[str] = [
    "The need for a defined and robust framework for the prevention of CSAE, especially for "
    "secondary prevention with at-risk groups.",
    "More evaluation of secondary prevention, to build an evidence base that shows what works and "
    "better justifies funding and the commissioning of services.",
    "A common language, within a public health framework, to give consistency and coherence to "
    "the policy, practice and research narratives on secondary prevention.",
    "Better communication between service providers, policymakers and academics to share "
    "knowledge and establish good practice.",
    "Better staff training and knowledge on balancing risk with desistance strategies.",
    "Improving the public narrative on secondary prevention, especially through the media and "
    "press, and the role of professionals in doing this.",
    "A comparative overview of reporting duties and confidentiality rules in the partner "
    "countries, so that services and researchers can work across borders.",
    "How the perspectives of victims and survivors can inform prevention services – a voice "
    "largely absent from the day's discussions.",
]

THEME_MEMOS: dict[str, str] = {
    "survivors": "Created before coding, expecting survivors' and victims' perspectives to come up "
    "under the engagement question. Nothing ended up here: no group raised it. The absence is a "
    "finding in itself – keep the code and mention it in the discussion points rather than "
    "deleting it.",
    "stigma": "Boundary with 'media' is fuzzy and A and B split differently on several notes. "
    "Working rule: stigma = the effect on people (help-seeking, families, staff); media = how "
    "coverage and public language produce it. Code both when a note links the two.",
    "kpis": "Many notes in Q5 and Q6 could go either way. Rule of thumb: kpis when a note names, "
    "proposes or criticises a measure; evidence when it is about whether or how a service is "
    "evaluated. Most of our evidence/kpis disagreements are B adding 'evidence' to a kpis note.",
    "values": "The most disputed code, with 'language' as its neighbour. Values = aims, principles "
    "and consistency between countries; language = words and definitions. A uses 'values' more "
    "freely for anything cross-border – agree a rule before computing agreement for the report.",
    "cycles": "Added as a sub-theme of 'funding' after the first pass through Q0–Q2, so some of "
    "A's early notes only carry 'funding' where B, coding later, used 'cycles'. Recheck those "
    "questions before the report.",
}


def _note_index(start: str) -> int:
    """The index in NOTES of the one note whose text starts with ``start``."""
    found = [i for i, note in enumerate(NOTES) if note["text"].startswith(start)]
    if len(found) != 1:
        raise LookupError(f"{len(found)} notes start with {start!r}")
    return found[0]


NOTE_MEMOS: list[tuple[int, str]] = [
    (
        _note_index("Commissioners ask"),
        "Clear statement of the counterfactual problem; links straight to Q6 on KPIs. Candidate "
        "pull-quote for the executive summary.",
    ),
    (
        _note_index("Art. 240 kk"),
        "Check the legal reference with the Polish partner before quoting. For the report: "
        "'Article 240 of the Criminal Code obliges a therapist who hears of an offence against "
        "a child under 15 to notify the authorities, which closes the door to honest therapy.'",
    ),
    (
        _note_index("Norway: duty to avert"),
        "Use 'duty to avert' in the report with the Norwegian term in brackets, as here.",
    ),
    (
        _note_index('"Nobody ever lost an election'),
        "Said half in jest, but the whole group agreed. Attribute to 'a delegate' only (Chatham "
        "House rule).",
    ),
    (
        _note_index("Online vigilante groups"),
        "Sensitive: make sure the report doesn't describe the exposure cases in a way that "
        "identifies the country or the service.",
    ),
    (
        _note_index("Data protection is often used as an excuse"),
        "A coded privacy + agencies, B agencies only. Discussed: keep both – it is about trust "
        "between agencies, with data protection as the stated reason.",
    ),
    (
        _note_index('"No evidence, no money.'),
        "The closed loop in six words. Some version of it came up in every afternoon group.",
    ),
    (
        _note_index("Who from the funders was in the room?"),
        "Left uncoded on purpose – a remark about the room, not a point on the question – but it "
        "matters for the invitation list of the next workshop.",
    ),
    (
        _note_index("Link to Q5/Q6"),
        "Moderator's own note, not a delegate's point; left uncoded.",
    ),
]

# The moderators' housekeeping (about the session, not what was said): left out of the report
# on the organiser's review, found by how each note starts.
HOUSEKEEPING = (
    "Group 5 short on time here",
    "Moderator: come back to this",
    "Same point as group 2",
    "Not much new here",
    "Photo of the flipchart taken",
    "Time ran out before",
    "Ran over time on this one",
    "Link to Q5/Q6",
)

# The report's front matter as the organiser set it on the report page (demo values).
FRONT_MATTER = {
    "authors": "The 2PS project team (demo)",
    "commissioned_by": "2PS – Prevent & Protect through Support (demo)",
    "funder": "This is a demonstration report. In a real report, the funder's statement goes "
    "here: who funded the workshop, under which grant, and that the views expressed are the "
    "participants' and not necessarily the funder's.",
    "acknowledgements": "We thank the 65 delegates for their time and candour, the ten "
    "moderators who carried the questions from group to group, and UWE Bristol for hosting "
    "the day.",
    "citation": "2PS project (2024). Knowledge Transfer Workshop: prevention of CSAE – "
    "workshop report (demo). Bristol: UWE Bristol.",
    "version": "1.0 (demo)",
    "licence": "Creative Commons Attribution 4.0 International (CC BY 4.0)",
    "contact": "2ps-project@example.org",
    "executive_summary": "Practitioners, researchers, police, helplines and policy makers "
    "from eight countries agreed that prevention services for people at risk of sexually "
    "harming children are needed, but that they rest on short project funding, on evidence "
    "that funders and practitioners read differently, and on reporting duties that differ "
    "from country to country. Three themes ran through all ten questions: consistent "
    "communication and shared values, research and funding, and service ethics. The "
    "workshop put forward the points for further discussion listed below.",
    "limitations": "",
}

# The workshop's own terms, as the glossary explains them.
GLOSSARY = [
    ("2PS", "Prevent & Protect through Support, the project that held the workshop"),
    ("CSAE", "child sexual abuse and exploitation"),
    ("CSAM", "child sexual abuse material"),
    ("DPIA", "data protection impact assessment"),
    ("DPO", "data protection officer"),
    ("EU", "European Union"),
    ("GDPR", "General Data Protection Regulation (EU) 2016/679"),
    ("GP", "general practitioner (family doctor)"),
    ("IOCTA", "Internet Organised Crime Threat Assessment, Europol's yearly report"),
    ("KPI", "key performance indicator"),
    ("RCT", "randomised controlled trial"),
]
