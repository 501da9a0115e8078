/*
 * Task pane of the outlook-networking Outlook add-in.
 *
 * On a message it reads the sender through Office.js; on a meeting the organizer and the
 * attendees (as arrays in the attendee's read form, through getAsync in the organizer's form),
 * leaving out the owner and the rooms and resources the meeting books. It asks the local card
 * server (same origin, GET /api/cards) for their cards and renders one full card for a sender,
 * or one compact card per person for a meeting, the organizer first. The owner can add a note
 * to a card (POST /api/notes). Every piece of data goes into the page as text nodes, never as
 * HTML, so nothing in a card or a note can inject markup.
 *
 * Its words come from the product's catalogs, which the card server writes into the page
 * (#outlook-networking-words: every language's table and the configured default): gettext() and
 * ngettext() here are messages of those catalogs (babel.cfg extracts them from this file), in
 * Outlook's display language (Office.context.displayLanguage) when there is a catalog for it,
 * else in the configured one. The cards are asked for in the same language (lang=), dates,
 * numbers and durations are formatted by the browser's Intl for that language.
 */
(function () {
  "use strict";

  var SECRET_HEADER = "X-Outlook-Networking-Secret";
  var FETCH_TIMEOUT_MS = 8000;
  var MAX_CARDS = 50; // the card server answers at most this many addresses at once
  var NOTE_MAX_CHARS = 2000; // app.cards.NOTE_MAX_CHARS
  var COMING_DAYS = 30; // key dates within this many days are "coming up" on a meeting's cards
  var generation = 0; // bumps on every item change so late answers for an old item are dropped

  // --- words: the catalogs the card server wrote into the page --------------------------------
  var WORDS = (function () {
    var node = document.getElementById("outlook-networking-words");
    try {
      var doc = JSON.parse(node ? node.textContent : "");
      if (doc && doc.tables && typeof doc.tables === "object") { return doc; }
    } catch (ignored) { /* the page was opened without the card server */ }
    return { language: "en", tables: {} };
  }());
  var language = WORDS.language;
  var locale = language; // for Intl: a regional form of the language where one is known
  var plurals = null;

  function base(tag) { return String(tag || "").split(/[-_]/)[0].toLowerCase(); }

  // Outlook's display language when there is a catalog for it, else the configured one.
  function chooseLanguage(display) {
    language = WORDS.tables[base(display)] ? base(display) : WORDS.language;
    var browser = typeof navigator !== "undefined" ? navigator.language : "";
    locale = base(display) === language ? display : base(browser) === language ? browser : language;
    plurals = typeof Intl !== "undefined" && Intl.PluralRules ? new Intl.PluralRules(locale) : null;
    document.documentElement.lang = language;
    document.title = gettext("Relationship card");
    var foot = document.getElementById("foot");
    if (foot) { foot.textContent = gettext("From outlook-networking on this computer. Nothing leaves it."); }
  }

  function table() { return WORDS.tables[language] || {}; }

  function gettext(message) {
    var found = table()[message];
    return typeof found === "string" && found ? found : message;
  }

  // The catalogs of English and German have two forms, for "one" and for every other count.
  function ngettext(singular, plural, n) {
    var forms = table()[singular];
    var one = plurals ? plurals.select(n) === "one" : n === 1;
    if (Array.isArray(forms) && forms[one ? 0 : 1]) { return forms[one ? 0 : 1]; }
    return one ? singular : plural;
  }

  // "{name} wrote" with {name: "Ann"}: the catalogs' placeholders, filled with text.
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  function tierName(tier) {
    var names = {
      A: gettext("Key relationship"),
      // TRANSLATORS: the name of tier B, close relationships (not a button)
      B: gettext("Close"),
      C: gettext("Wider network"),
      D: gettext("Fading out")
    };
    return names[tier] || "";
  }

  // The kinds core.followups and the give-and-take ledger produce; others get a readable fallback.
  function followupKinds() {
    return {
      owed_reply: gettext("You owe a reply"),
      awaiting_answer: gettext("Waiting for their answer"),
      keep_in_touch: gettext("Keep in touch"),
      cooling: gettext("Going quiet"),
      unreciprocated: gettext("No answer to your approaches"),
      thank_or_return: gettext("Thank them or return the favour"),
      annual_review: gettext("Annual review"),
      birthday: gettext("Birthday coming up")
    };
  }

  function keyDateKinds() {
    return { birthday: gettext("Birthday"), anniversary: gettext("Anniversary") };
  }

  // --- tiny DOM builder: strings become text nodes, so data is never parsed as HTML ---------
  function el(tag, attrs) {
    var node = document.createElement(tag);
    var key;
    for (key in attrs || {}) {
      if (Object.prototype.hasOwnProperty.call(attrs, key)) {
        if (key === "className") { node.className = attrs[key]; } else { node.setAttribute(key, attrs[key]); }
      }
    }
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined || child === false) { continue; }
      node.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function show() {
    var app = document.getElementById("app");
    while (app.firstChild) { app.removeChild(app.firstChild); }
    for (var i = 0; i < arguments.length; i++) { app.appendChild(arguments[i]); }
  }

  function notice(kind, title, text, action) {
    show(el("section", { className: "notice notice-" + kind, "data-state": kind },
      el("h1", null, title),
      el("p", null, text),
      action || null));
  }

  function retryButton() {
    var button = el("button", { type: "button", className: "retry" }, gettext("Retry"));
    button.addEventListener("click", load);
    return button;
  }

  // --- formatting ------------------------------------------------------------------------------
  function known(value) {
    return typeof value === "number" && isFinite(value);
  }

  function number(value) {
    return typeof value === "number" && isFinite(value) ? value.toLocaleString(locale) : "–";
  }

  // The score as the command line and the report show it: the JSON's one decimal, rounded
  // half up (core.scoring.shown_score), so 76.5 reads 77 everywhere.
  function score(value) {
    return typeof value === "number" && isFinite(value) ? number(Math.round(value)) : "–";
  }

  function unit(value, name, display) {
    return new Intl.NumberFormat(locale, { style: "unit", unit: name, unitDisplay: display }).format(value);
  }

  function duration(seconds) {
    if (typeof seconds !== "number" || !isFinite(seconds)) { return "–"; }
    if (seconds < 60) { return "<" + unit(1, "minute", "short"); }
    if (seconds < 3600) { return unit(Math.round(seconds / 60), "minute", "short"); }
    if (seconds < 48 * 3600) {
      var hours = seconds / 3600;
      return unit(hours < 10 ? Math.round(hours * 10) / 10 : Math.round(hours), "hour", "short");
    }
    return unit(Math.round(seconds / 86400), "day", "long");
  }

  function parseDate(iso) {
    if (!iso) { return null; }
    var date = new Date(iso);
    return isNaN(date.getTime()) ? null : date;
  }

  function shortDate(date) {
    return date.toLocaleDateString(locale, { day: "numeric", month: "short", year: "numeric" });
  }

  // "today", "yesterday", "in 3 days", "2 weeks ago" in the pane's language (Intl).
  function relative(amount, name) {
    return new Intl.RelativeTimeFormat(locale, { numeric: "auto" }).format(amount, name);
  }

  function ago(date) {
    var days = Math.floor((Date.now() - date.getTime()) / 86400000);
    if (days < 14) { return relative(-Math.max(days, 0), "day"); }
    if (days < 60) { return relative(-Math.round(days / 7), "week"); }
    if (days < 365) { return relative(-Math.round(days / 30), "month"); }
    return relative(-Math.floor(days / 365), "year");
  }

  function initials(name, address) {
    var words = String(name || "").replace(/[^\p{L}\p{N} ]/gu, " ").trim().split(/\s+/);
    if (words.length && words[0]) {
      var first = words[0].charAt(0);
      var last = words.length > 1 ? words[words.length - 1].charAt(0) : "";
      return (first + last).toUpperCase();
    }
    return String(address || "?").charAt(0).toUpperCase();
  }

  function kindLabel(kind) {
    var kinds = followupKinds();
    if (kinds[kind]) { return kinds[kind]; }
    var text = String(kind || gettext("Follow-up")).replace(/[_-]+/g, " ");
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  // --- the card ----------------------------------------------------------------------------------
  function fact(label, value, title) { // value: text or a node
    var dd = el("dd", null, value);
    if (title) { dd.setAttribute("title", title); }
    return [el("dt", null, label), dd];
  }

  function renderCard(card) {
    var tier = String(card.tier || "?").toUpperCase().slice(0, 1);
    var name = card.name || card.address;
    var header = el("header", { className: "who" },
      el("div", { className: "avatar", "aria-hidden": "true" }, initials(card.name, card.address)),
      el("div", { className: "who-text" },
        el("h1", { className: "name" }, name),
        card.name ? el("p", { className: "address" }, card.address) : null,
        card.organisation ? el("p", { className: "org" }, card.organisation) : null),
      el("div", { className: "tier tier-" + tier, title: fill(gettext("Tier {tier}"), { tier: tier }) },
        el("span", { className: "tier-letter" }, tier)));

    var parts = [header];
    var tierLine = fill(gettext("Tier {tier}"), { tier: tier }) + (tierName(tier) ? " · " + tierName(tier) : "");
    parts.push(el("p", { className: "tier-line" },
      el("span", { className: "tier-name" }, tierLine),
      el("span", { className: "tier-score" }, fill(gettext("score {score}"), { score: score(card.score) }))));

    var reasons = Array.isArray(card.reasons) ? card.reasons : [];
    if (reasons.length) {
      var list = el("ul", { className: "reasons" });
      reasons.forEach(function (reason) { list.appendChild(el("li", null, reason)); });
      parts.push(list);
    }

    var facts = el("dl", { className: "facts" });
    var last = parseDate(card.last_contact);
    // Rows whose numbers are all missing are left out rather than shown as dashes.
    var rows = [fact(gettext("Last contact"), last ? el("span", null, ago(last),
      el("span", { className: "muted" }, " · " + shortDate(last))) : gettext("never"))];
    if (known(card.sent) || known(card.received)) {
      rows.push(fact(gettext("Mail"), fill(gettext("{sent} sent · {received} received"),
        { sent: number(card.sent), received: number(card.received) })));
    }
    if (known(card.meetings)) { rows.push(fact(gettext("Meetings"), number(card.meetings))); }
    if (known(card.replies_sent) || known(card.replies_received)) {
      rows.push(fact(gettext("Replies"), fill(gettext("you {yours} · they {theirs}"),
        { yours: number(card.replies_sent), theirs: number(card.replies_received) })));
    }
    if (known(card.median_reply_latency_s) || known(card.their_median_reply_latency_s)) {
      rows.push(fact(gettext("Reply time"), fill(gettext("you {yours} · they {theirs}"),
        { yours: duration(card.median_reply_latency_s), theirs: duration(card.their_median_reply_latency_s) }),
        gettext("median time to answer")));
    }
    if (card.balance && typeof card.balance === "object") {
      rows.push(fact(gettext("Give & take"), givenReceived(card.balance)));
    }
    rows.forEach(function (pair) { facts.appendChild(pair[0]); facts.appendChild(pair[1]); });
    parts.push(facts);

    var followups = Array.isArray(card.followups) ? card.followups : [];
    var followSection = el("section", { className: "followups" },
      el("h2", null, gettext("Open follow-ups"), el("span", { className: "count" }, number(followups.length))));
    if (followups.length) {
      var items = el("ul", null);
      // In the order the server sends them: most pressing first (core.followups.by_urgency).
      followups.forEach(function (item) {
        var due = parseDate(item.due);
        var overdue = due && due.getTime() < Date.now() && !item.snoozed;
        var when = item.snoozed ? gettext("snoozed until {date}") : overdue ? gettext("overdue since {date}")
          : gettext("due {date}");
        items.appendChild(el("li", { className: item.snoozed ? "snoozed" : overdue ? "overdue" : "" },
          el("div", { className: "fu-head" },
            el("span", { className: "fu-kind" }, kindLabel(item.kind)),
            due ? el("span", { className: "fu-due" }, fill(when, { date: shortDate(due) })) : null),
          item.reason ? el("p", { className: "fu-reason" }, item.reason) : null));
      });
      followSection.appendChild(items);
    } else {
      followSection.appendChild(el("p", { className: "muted" }, gettext("Nothing open with this person.")));
    }
    parts.push(followSection);

    if (card.next_step) {
      parts.push(el("section", { className: "next" },
        el("h2", null, gettext("Smallest step up")),
        el("p", null, card.next_step)));
    }
    var dates = keyDates(card, null, null);
    if (dates) {
      parts.push(el("section", { className: "dates" }, el("h2", null, gettext("Key dates")), dates));
    }
    parts.push(notesSection(card.address, card.notes));
    show.apply(null, parts);
  }

  // --- key dates and notes (both card kinds) -------------------------------------------------
  function givenReceived(balance) {
    return fill(gettext("given {given} · received {received}"),
      { given: number(balance.given), received: number(balance.received) });
  }

  function keyDateText(item) {
    var label = keyDateKinds()[item.kind] || kindLabel(item.kind);
    var on = parseDate(item.next + "T12:00:00Z");
    var day = on ? on.toLocaleDateString(locale, { day: "numeric", month: "short" }) : item.next;
    var when = known(item.in_days) ? relative(item.in_days, "day") : "";
    var years = "";
    if (known(item.years)) {
      years = " · " + fill(item.kind === "birthday" ? ngettext("{count} year", "{count} years", item.years)
        : ngettext("{count} year together", "{count} years together", item.years), { count: number(item.years) });
    }
    return label + " " + day + " (" + when + years + ")";
  }

  // within: only dates this many days away or closer; skip: kinds a follow-up already names
  function keyDates(card, within, skip) {
    var items = (Array.isArray(card.key_dates) ? card.key_dates : []).filter(function (item) {
      return (within === null || (known(item.in_days) && item.in_days <= within)) &&
        !(skip && skip[item.kind]);
    });
    if (!items.length) { return null; }
    var list = el("ul", { className: "key-dates" });
    items.forEach(function (item) {
      list.appendChild(el("li", { className: item.in_days <= 3 ? "soon" : "" }, keyDateText(item)));
    });
    return list;
  }

  function noteItem(note) {
    var at = parseDate(note.at);
    return el("li", null, el("span", { className: "note-text" }, note.text),
      at ? el("span", { className: "note-at muted" }, shortDate(at)) : null);
  }

  // compact: a meeting's card, where a heading over no notes would only take room
  function notesSection(address, notes, compact) {
    var list = el("ul", { className: "notes" });
    var listed = Array.isArray(notes) ? notes : [];
    listed.forEach(function (note) { list.appendChild(noteItem(note)); });
    var heading = compact && !listed.length ? null : el("h2", null, gettext("Your notes"));
    var section = el("section", { className: "notes-section" + (compact ? " compact" : "") }, heading, list);
    var open = el("button", { type: "button", className: "add-note" }, gettext("Add a note"));
    open.addEventListener("click", function () {
      section.replaceChild(noteForm(address, list, open), open);
    });
    section.appendChild(open);
    return section;
  }

  function noteForm(address, list, opener) {
    var area = el("textarea", { rows: "3", maxlength: String(NOTE_MAX_CHARS),
      "aria-label": fill(gettext("Note about {address}"), { address: address }),
      placeholder: gettext("What you learned, what you promised…") });
    var status = el("p", { className: "note-status muted", role: "status" });
    var save = el("button", { type: "submit", className: "save-note" }, gettext("Save note"));
    var cancel = el("button", { type: "button", className: "cancel-note" }, gettext("Cancel"));
    var form = el("form", { className: "note-form" }, area,
      el("div", { className: "note-actions" }, save, cancel, status));
    cancel.addEventListener("click", function () { form.parentNode.replaceChild(opener, form); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = area.value.trim();
      if (!text) { status.textContent = gettext("Write something first."); return; }
      save.disabled = true;
      status.textContent = gettext("Saving…");
      postNote(address, text).then(function (response) {
        if (response.status !== 201) { throw new Error("status " + response.status); }
        return response.json();
      }).then(function (note) {
        list.appendChild(noteItem(note));
        form.parentNode.replaceChild(opener, form);
      }).catch(function () {
        save.disabled = false;
        status.textContent = gettext("Not saved. Is outlook-networking still running?");
      });
    });
    setTimeout(function () { area.focus(); }, 0);
    return form;
  }

  // --- a meeting: one compact card per person --------------------------------------------------
  function personCard(person, card) {
    var isKnown = card && card.known !== false && !card.is_owner;
    var name = (isKnown && card.name) || person.name || person.address;
    var tier = isKnown ? String(card.tier || "?").toUpperCase().slice(0, 1) : "";
    var marks = el("p", { className: "marks" });
    if (person.organizer) { marks.appendChild(el("span", { className: "mark mark-organizer" }, gettext("Organizer"))); }
    if (person.external || (card && card.external)) {
      marks.appendChild(el("span", { className: "mark mark-external" }, gettext("External")));
    }
    if (!isKnown) {
      marks.appendChild(el("span", { className: "mark mark-unknown" }, gettext("Not in your network yet")));
    }
    var article = el("article", { className: "attendee" + (isKnown ? "" : " attendee-unknown"), "data-address": person.address },
      el("header", { className: "p-head" },
        el("div", { className: "avatar small", "aria-hidden": "true" }, initials(name, person.address)),
        el("div", { className: "who-text" },
          el("h2", { className: "name" }, name),
          name !== person.address ? el("p", { className: "address" }, person.address) : null),
        isKnown ? el("div", { className: "tier small tier-" + tier, title: fill(gettext("Tier {tier}"), { tier: tier }) },
          el("span", { className: "tier-letter" }, tier)) : null),
      marks.childNodes.length ? marks : null);
    if (isKnown) {
      var last = parseDate(card.last_contact);
      var balance = card.balance && typeof card.balance === "object" ? card.balance : null;
      article.appendChild(el("p", { className: "p-line" },
        fill(gettext("Last contact {when}"), { when: last ? ago(last) : gettext("never") }) +
        (balance ? " · " + givenReceived(balance) : "")));
      var followups = Array.isArray(card.followups) ? card.followups : [];
      var named = {};
      if (followups.length) {
        var todo = el("ul", { className: "p-followups" });
        followups.forEach(function (item) {
          named[item.kind] = true;
          var due = parseDate(item.due);
          var overdue = due && due.getTime() < Date.now();
          todo.appendChild(el("li", { className: overdue ? "overdue" : "" },
            el("span", { className: "fu-kind" }, kindLabel(item.kind)),
            item.reason ? el("span", { className: "fu-reason" }, " · " + item.reason) : null));
        });
        article.appendChild(todo);
      }
      var dates = keyDates(card, COMING_DAYS, named);
      if (dates) { article.appendChild(dates); }
    }
    article.appendChild(notesSection(person.address, card && card.notes, true));
    return article;
  }

  function renderMeeting(subject, people, cards, left) {
    var byAddress = {};
    cards.forEach(function (card) { byAddress[String(card.address || "").toLowerCase()] = card; });
    var parts = [el("header", { className: "meeting-head" },
      el("h1", null, subject || gettext("This meeting")),
      el("p", { className: "muted" }, fill(ngettext("{count} person besides you", "{count} people besides you",
        people.length), { count: number(people.length) })))];
    people.forEach(function (person) {
      parts.push(personCard(person, byAddress[person.address.toLowerCase()]));
    });
    if (left > 0) {
      parts.push(el("p", { className: "muted" },
        fill(ngettext("{count} more not shown.", "{count} more not shown.", left), { count: number(left) })));
    }
    show.apply(null, parts);
  }

  // --- someone who is not in the network yet, but whom the owner may know through someone ------
  // The reason codes of core.intro (docs/json.md), in the words report/intro.py gives them (the
  // same catalog messages); near is nearer to you than far.
  function reasonText(code, n) {
    switch (code) {
    case "near_introduced_you":
      return ngettext("{near} introduced you to {far}", "{near} introduced you to {far} ({count} times)", n);
    case "far_introduced_you":
      return ngettext("{far} introduced you to {near}", "{far} introduced you to {near} ({count} times)", n);
    case "meetings": return ngettext("in {count} meeting together", "in {count} meetings together", n);
    case "far_replied": return ngettext("{far} answered {near} once", "{far} answered {near} {count} times", n);
    case "near_replied": return ngettext("{near} answered {far} once", "{near} answered {far} {count} times", n);
    case "far_wrote": return ngettext("{far} wrote to {near} once", "{far} wrote to {near} {count} times", n);
    case "near_wrote": return ngettext("{near} wrote to {far} once", "{near} wrote to {far} {count} times", n);
    case "together": return ngettext("named together on {count} message", "named together on {count} messages", n);
    case "introduction_took": return gettext("you introduced them and they followed up");
    case "introduced_by_you": return ngettext("you introduced them", "you introduced them ({count} times)", n);
    case "days_since":
      return n === 0 ? gettext("last seen together today")
        : ngettext("last seen together {count} day ago", "last seen together {count} days ago", n);
    default: return null;
    }
  }

  function short(person) {
    var words = String((person && person.name) || "").trim().split(/\s+/);
    return words[0] ? words[0] : String((person && person.address) || "?");
  }

  function hopText(hop, people) {
    var near = short(people[hop.from]);
    var far = short(people[hop.to]);
    var parts = [];
    (Array.isArray(hop.reasons) ? hop.reasons : []).forEach(function (reason) {
      var words = reasonText(reason.code, reason.count);
      if (words) { parts.push(fill(words, { near: near, far: far, count: number(reason.count) })); }
    });
    return parts.join("; ");
  }

  function renderStranger(card) {
    var path = card.intro || {};
    var via = Array.isArray(path.via) ? path.via : [];
    var people = {};
    via.concat([path.target || {}]).forEach(function (p) { if (p && p.address) { people[p.address] = p; } });
    var chain = el("ol", { className: "intro-chain" });
    via.forEach(function (person) {
      chain.appendChild(el("li", null,
        el("span", { className: "person" }, person.name || person.address),
        el("span", { className: "muted" }, " · " + (person.tier
          ? fill(gettext("tier {tier} · score {score}"), { tier: person.tier, score: score(person.score) })
          : gettext("not in your network")))));
    });
    var hops = el("ul", { className: "reasons" });
    (Array.isArray(path.hops) ? path.hops : []).forEach(function (hop) {
      hops.appendChild(el("li", null, fill(gettext("{near} and {far}: {reasons}"),
        { near: short(people[hop.from]), far: short(people[hop.to]), reasons: hopText(hop, people) })));
    });
    var parts = [el("section", { className: "notice notice-unknown", "data-state": "stranger" },
      el("h1", null, card.name || card.address),
      el("p", null, gettext("Not in your network yet. You may know them through:"))), chain];
    if (path.weaker) { parts.push(el("p", { className: "muted" }, gettext("Two steps: a weaker path."))); }
    parts.push(hops);
    show.apply(null, parts);
  }

  // --- data --------------------------------------------------------------------------------------
  function secret() {
    var meta = document.querySelector('meta[name="outlook-networking-secret"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function request(url, options) {
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, FETCH_TIMEOUT_MS) : null;
    options.headers[SECRET_HEADER] = secret();
    options.credentials = "omit";
    options.cache = "no-store";
    options.signal = controller ? controller.signal : undefined;
    return fetch(url, options).finally(function () { if (timer) { clearTimeout(timer); } });
  }

  function fetchCards(addresses) {
    var query = addresses.map(function (a) { return "address=" + encodeURIComponent(a); }).join("&");
    return request("api/cards?" + query + "&lang=" + encodeURIComponent(language), { method: "GET", headers: {} });
  }

  function postNote(address, text) {
    return request("api/notes", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ address: address, text: text })
    });
  }

  function same(a, b) {
    return String(a || "").trim().toLowerCase() === String(b || "").trim().toLowerCase();
  }

  // The answers of the card server that are no card, the same for messages and meetings.
  function answered(response, mine, address) {
    if (mine !== generation) { return null; }
    if (response.status === 403) {
      notice("forbidden", gettext("The pane could not prove who it is"),
        gettext("Close and reopen this pane. If that does not help, restart “outlook-networking addin serve”."),
        retryButton());
      return null;
    }
    if (!response.ok) {
      notice("error", address ? gettext("outlook-networking could not build this card")
        : gettext("outlook-networking could not build these cards"),
        address ? fill(gettext("Run “outlook-networking contact {address}” to see why."), { address: address }) :
          gettext("Run “outlook-networking brief” to see why."), retryButton());
      return null;
    }
    return response.json().then(function (doc) {
      return mine === generation && doc && Array.isArray(doc.cards) ? doc.cards : null;
    });
  }

  function offline(mine) {
    return function () {
      if (mine !== generation) { return; }
      notice("offline", gettext("outlook-networking is not running"),
        gettext("The card comes from the outlook-networking agent on this computer, and it did not " +
          "answer. Start it with “outlook-networking addin serve”, then press Retry."), retryButton());
    };
  }

  function noSender() {
    notice("empty", gettext("No sender"), gettext("Select a message to see the card of the person who sent it."));
  }

  function ownMessage() {
    notice("owner", gettext("This is your own message"),
      gettext("Cards describe the people you deal with. Open a message from someone else."));
  }

  function loadMessage(mine, item, owner) {
    var from = item.from;
    var address = from && from.emailAddress;
    if (!address) {
      noSender();
      return;
    }
    if (same(address, owner)) {
      ownMessage();
      return;
    }
    show(el("p", { className: "loading" }, fill(gettext("Looking up {address}…"), { address: address })));
    fetchCards([address]).then(function (response) {
      return answered(response, mine, address);
    }).then(function (cards) {
      if (!cards) { return; }
      var card = cards[0] || { known: false };
      if (card.is_owner) {
        ownMessage();
      } else if (card.known === false) {
        if (card.intro) {
          renderStranger(card); // someone you may know through someone (core.intro)
        } else {
          notice("unknown", gettext("Not in your network yet"),
            fill(gettext("outlook-networking has no history with {address}. Once you exchange mail " +
              "or meet, the card appears here."), { address: address }));
        }
        document.getElementById("app").appendChild(notesSection(address, card.notes));
      } else {
        renderCard(card);
      }
    }).catch(offline(mine));
  }

  // A property that is a value in read forms and a getAsync object in the organizer's form.
  function value(property, callback) {
    if (property && typeof property.getAsync === "function") {
      property.getAsync(function (result) {
        callback(result && result.status === "succeeded" ? result.value : null);
      });
    } else {
      callback(property === undefined ? null : property);
    }
  }

  function detailsList(list) {
    return (Array.isArray(list) ? list : []).filter(function (d) { return d && d.emailAddress; });
  }

  // The meeting's rooms and resources: item.resources (read forms) and the rooms of
  // item.enhancedLocation (Mailbox 1.8), so that none of them gets a card.
  function rooms(item, callback) {
    var found = {};
    detailsList(Array.isArray(item.resources) ? item.resources : item.resources ? [item.resources] : [])
      .forEach(function (d) { found[d.emailAddress.toLowerCase()] = true; });
    if (!item.enhancedLocation || typeof item.enhancedLocation.getAsync !== "function") {
      callback(found);
      return;
    }
    item.enhancedLocation.getAsync(function (result) {
      var locations = result && result.status === "succeeded" && Array.isArray(result.value) ? result.value : [];
      locations.forEach(function (location) {
        var kind = location.locationIdentifier && location.locationIdentifier.type;
        if (kind === "room" && location.emailAddress) { found[String(location.emailAddress).toLowerCase()] = true; }
      });
      callback(found);
    });
  }

  function meetingPeople(item, owner, callback) {
    value(item.organizer, function (organizer) {
      value(item.requiredAttendees, function (required) {
        value(item.optionalAttendees, function (optional) {
          rooms(item, function (booked) {
            var seen = {};
            var people = [];
            function add(details, isOrganizer) {
              var address = String(details.emailAddress).trim();
              var key = address.toLowerCase();
              if (seen[key] || booked[key] || same(address, owner)) { return; }
              seen[key] = true;
              people.push({ address: address, name: details.displayName || "", organizer: isOrganizer,
                external: details.recipientType === "externalUser" });
            }
            if (organizer && organizer.emailAddress) { add(organizer, true); }
            detailsList(required).concat(detailsList(optional)).forEach(function (d) { add(d, false); });
            callback(people);
          });
        });
      });
    });
  }

  function loadMeeting(mine, item, owner) {
    show(el("p", { className: "loading" }, gettext("Looking up the people of this meeting…")));
    meetingPeople(item, owner, function (people) {
      if (mine !== generation) { return; }
      if (!people.length) {
        notice("empty", gettext("Nobody else is in this meeting"), gettext("Cards describe the people you meet."));
        return;
      }
      var asked = people.slice(0, MAX_CARDS);
      value(item.subject, function (subject) {
        fetchCards(asked.map(function (p) { return p.address; })).then(function (response) {
          return answered(response, mine, null);
        }).then(function (cards) {
          if (cards) { renderMeeting(typeof subject === "string" ? subject : "", asked, cards, people.length - asked.length); }
        }).catch(offline(mine));
      });
    });
  }

  function load() {
    var mine = ++generation;
    var mailbox = Office.context && Office.context.mailbox;
    var item = mailbox && mailbox.item;
    var owner = mailbox && mailbox.userProfile && mailbox.userProfile.emailAddress;
    if (!item) {
      noSender();
      return;
    }
    if (item.itemType === "appointment") {
      loadMeeting(mine, item, owner);
    } else {
      loadMessage(mine, item, owner);
    }
  }

  function outsideOutlook() {
    notice("no-office", gettext("Open this pane from Outlook"),
      gettext("It shows the relationship card for the sender of the message open in Outlook."));
  }

  function start() {
    chooseLanguage(null);
    show(el("p", { className: "loading" }, gettext("Loading…")));
    if (typeof Office === "undefined" || !Office.onReady) {
      outsideOutlook();
      return;
    }
    Office.onReady(function () {
      // The language Outlook shows its own menus in (Office.context.displayLanguage, "de-DE").
      chooseLanguage(Office.context && Office.context.displayLanguage);
      var mailbox = Office.context && Office.context.mailbox;
      if (!mailbox) {
        outsideOutlook();
        return;
      }
      // A pinned pane stays open while the user moves between messages (Mailbox 1.5).
      if (mailbox.addHandlerAsync && Office.EventType && Office.EventType.ItemChanged) {
        mailbox.addHandlerAsync(Office.EventType.ItemChanged, load);
      }
      load();
    });
  }

  start();
})();
