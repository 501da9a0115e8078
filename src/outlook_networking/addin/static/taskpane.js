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
 */
(function () {
  "use strict";

  var SECRET_HEADER = "X-Outlook-Networking-Secret";
  var FETCH_TIMEOUT_MS = 8000;
  var MAX_CARDS = 50; // the card server answers at most this many addresses at once
  var NOTE_MAX_CHARS = 2000; // app.cards.NOTE_MAX_CHARS
  var COMING_DAYS = 30; // key dates within this many days are "coming up" on a meeting's cards
  var TIER_NAMES = { A: "Key relationship", B: "Close", C: "Wider network", D: "Fading out" };
  // The kinds core.followups and the give-and-take ledger produce; others get a readable fallback.
  var FOLLOWUP_KINDS = {
    owed_reply: "You owe a reply",
    awaiting_answer: "Waiting for their answer",
    keep_in_touch: "Keep in touch",
    cooling: "Going quiet",
    unreciprocated: "No answer to your approaches",
    thank_or_return: "Thank them or return the favour",
    annual_review: "Annual review",
    birthday: "Birthday coming up"
  };
  var KEY_DATES = { birthday: "Birthday", anniversary: "Anniversary" };
  var generation = 0; // bumps on every item change so late answers for an old item are dropped

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
    var button = el("button", { type: "button", className: "retry" }, "Retry");
    button.addEventListener("click", load);
    return button;
  }

  // --- formatting ------------------------------------------------------------------------------
  function known(value) {
    return typeof value === "number" && isFinite(value);
  }

  function number(value) {
    return typeof value === "number" && isFinite(value) ? String(value) : "–";
  }

  // The score as the command line and the report show it: the JSON's one decimal, rounded
  // half up (core.scoring.shown_score), so 76.5 reads 77 everywhere.
  function score(value) {
    return typeof value === "number" && isFinite(value) ? String(Math.round(value)) : "–";
  }

  function duration(seconds) {
    if (typeof seconds !== "number" || !isFinite(seconds)) { return "–"; }
    if (seconds < 60) { return "<1 min"; }
    if (seconds < 3600) { return Math.round(seconds / 60) + " min"; }
    if (seconds < 48 * 3600) {
      var hours = seconds / 3600;
      return (hours < 10 ? Math.round(hours * 10) / 10 : Math.round(hours)) + " h";
    }
    return Math.round(seconds / 86400) + " days";
  }

  function parseDate(iso) {
    if (!iso) { return null; }
    var date = new Date(iso);
    return isNaN(date.getTime()) ? null : date;
  }

  function shortDate(date) {
    return date.toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric" });
  }

  function ago(date) {
    var days = Math.floor((Date.now() - date.getTime()) / 86400000);
    if (days < 1) { return "today"; }
    if (days === 1) { return "yesterday"; }
    if (days < 14) { return days + " days ago"; }
    if (days < 60) { return Math.round(days / 7) + " weeks ago"; }
    if (days < 365) { return Math.round(days / 30) + " months ago"; }
    var years = Math.floor(days / 365);
    return years === 1 ? "over a year ago" : years + " years ago";
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
    if (FOLLOWUP_KINDS[kind]) { return FOLLOWUP_KINDS[kind]; }
    var text = String(kind || "Follow-up").replace(/[_-]+/g, " ");
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
      el("div", { className: "tier tier-" + tier, title: "Tier " + tier },
        el("span", { className: "tier-letter" }, tier)));

    var parts = [header];
    parts.push(el("p", { className: "tier-line" },
      el("span", { className: "tier-name" }, "Tier " + tier + (TIER_NAMES[tier] ? " · " + TIER_NAMES[tier] : "")),
      el("span", { className: "tier-score" }, "score " + score(card.score))));

    var reasons = Array.isArray(card.reasons) ? card.reasons : [];
    if (reasons.length) {
      var list = el("ul", { className: "reasons" });
      reasons.forEach(function (reason) { list.appendChild(el("li", null, reason)); });
      parts.push(list);
    }

    var facts = el("dl", { className: "facts" });
    var last = parseDate(card.last_contact);
    // Rows whose numbers are all missing are left out rather than shown as dashes.
    var rows = [fact("Last contact", last ? el("span", null, ago(last),
      el("span", { className: "muted" }, " · " + shortDate(last))) : "never")];
    if (known(card.sent) || known(card.received)) {
      rows.push(fact("Mail", number(card.sent) + " sent · " + number(card.received) + " received"));
    }
    if (known(card.meetings)) { rows.push(fact("Meetings", number(card.meetings))); }
    if (known(card.replies_sent) || known(card.replies_received)) {
      rows.push(fact("Replies", "you " + number(card.replies_sent) +
        " · they " + number(card.replies_received)));
    }
    if (known(card.median_reply_latency_s) || known(card.their_median_reply_latency_s)) {
      rows.push(fact("Reply time", "you " + duration(card.median_reply_latency_s) +
        " · they " + duration(card.their_median_reply_latency_s), "median time to answer"));
    }
    if (card.balance && typeof card.balance === "object") {
      rows.push(fact("Give & take", "given " + number(card.balance.given) +
        " · received " + number(card.balance.received)));
    }
    rows.forEach(function (pair) { facts.appendChild(pair[0]); facts.appendChild(pair[1]); });
    parts.push(facts);

    var followups = Array.isArray(card.followups) ? card.followups : [];
    var followSection = el("section", { className: "followups" },
      el("h2", null, "Open follow-ups", el("span", { className: "count" }, String(followups.length))));
    if (followups.length) {
      var items = el("ul", null);
      // In the order the server sends them: most pressing first (core.followups.by_urgency).
      followups.forEach(function (item) {
        var due = parseDate(item.due);
        var overdue = due && due.getTime() < Date.now() && !item.snoozed;
        var when = item.snoozed ? "snoozed until " : overdue ? "overdue since " : "due ";
        items.appendChild(el("li", { className: item.snoozed ? "snoozed" : overdue ? "overdue" : "" },
          el("div", { className: "fu-head" },
            el("span", { className: "fu-kind" }, kindLabel(item.kind)),
            due ? el("span", { className: "fu-due" }, when + shortDate(due)) : null),
          item.reason ? el("p", { className: "fu-reason" }, item.reason) : null));
      });
      followSection.appendChild(items);
    } else {
      followSection.appendChild(el("p", { className: "muted" }, "Nothing open with this person."));
    }
    parts.push(followSection);

    if (card.next_step) {
      parts.push(el("section", { className: "next" },
        el("h2", null, "Smallest step up"),
        el("p", null, card.next_step)));
    }
    var dates = keyDates(card, null, null);
    if (dates) {
      parts.push(el("section", { className: "dates" }, el("h2", null, "Key dates"), dates));
    }
    parts.push(notesSection(card.address, card.notes));
    show.apply(null, parts);
  }

  // --- key dates and notes (both card kinds) -------------------------------------------------
  function keyDateText(item) {
    var label = KEY_DATES[item.kind] || kindLabel(item.kind);
    var on = parseDate(item.next + "T12:00:00Z");
    var day = on ? on.toLocaleDateString(undefined, { day: "numeric", month: "short" }) : item.next;
    var when = item.in_days === 0 ? "today" : item.in_days === 1 ? "tomorrow" : "in " + item.in_days + " days";
    var years = known(item.years) ? " · " + item.years + (item.kind === "birthday" ? " years" : " years together") : "";
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
    var heading = compact && !listed.length ? null : el("h2", null, "Your notes");
    var section = el("section", { className: "notes-section" + (compact ? " compact" : "") }, heading, list);
    var open = el("button", { type: "button", className: "add-note" }, "Add a note");
    open.addEventListener("click", function () {
      section.replaceChild(noteForm(address, list, open), open);
    });
    section.appendChild(open);
    return section;
  }

  function noteForm(address, list, opener) {
    var area = el("textarea", { rows: "3", maxlength: String(NOTE_MAX_CHARS), "aria-label": "Note about " + address,
      placeholder: "What you learned, what you promised…" });
    var status = el("p", { className: "note-status muted", role: "status" });
    var save = el("button", { type: "submit", className: "save-note" }, "Save note");
    var cancel = el("button", { type: "button", className: "cancel-note" }, "Cancel");
    var form = el("form", { className: "note-form" }, area,
      el("div", { className: "note-actions" }, save, cancel, status));
    cancel.addEventListener("click", function () { form.parentNode.replaceChild(opener, form); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = area.value.trim();
      if (!text) { status.textContent = "Write something first."; return; }
      save.disabled = true;
      status.textContent = "Saving…";
      postNote(address, text).then(function (response) {
        if (response.status !== 201) { throw new Error("status " + response.status); }
        return response.json();
      }).then(function (note) {
        list.appendChild(noteItem(note));
        form.parentNode.replaceChild(opener, form);
      }).catch(function () {
        save.disabled = false;
        status.textContent = "Not saved. Is outlook-networking still running?";
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
    if (person.organizer) { marks.appendChild(el("span", { className: "mark mark-organizer" }, "Organizer")); }
    if (person.external || (card && card.external)) {
      marks.appendChild(el("span", { className: "mark mark-external" }, "External"));
    }
    if (!isKnown) { marks.appendChild(el("span", { className: "mark mark-unknown" }, "Not in your network yet")); }
    var article = el("article", { className: "attendee" + (isKnown ? "" : " attendee-unknown"), "data-address": person.address },
      el("header", { className: "p-head" },
        el("div", { className: "avatar small", "aria-hidden": "true" }, initials(name, person.address)),
        el("div", { className: "who-text" },
          el("h2", { className: "name" }, name),
          name !== person.address ? el("p", { className: "address" }, person.address) : null),
        isKnown ? el("div", { className: "tier small tier-" + tier, title: "Tier " + tier },
          el("span", { className: "tier-letter" }, tier)) : null),
      marks.childNodes.length ? marks : null);
    if (isKnown) {
      var last = parseDate(card.last_contact);
      var balance = card.balance && typeof card.balance === "object" ? card.balance : null;
      article.appendChild(el("p", { className: "p-line" },
        "Last contact " + (last ? ago(last) : "never") +
        (balance ? " · given " + number(balance.given) + " · received " + number(balance.received) : "")));
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
      el("h1", null, subject || "This meeting"),
      el("p", { className: "muted" }, people.length === 1 ? "1 person besides you" : people.length + " people besides you"))];
    people.forEach(function (person) {
      parts.push(personCard(person, byAddress[person.address.toLowerCase()]));
    });
    if (left > 0) { parts.push(el("p", { className: "muted" }, left + " more not shown.")); }
    show.apply(null, parts);
  }

  // --- someone who is not in the network yet, but whom the owner may know through someone ------
  function times(n) { return n === 1 ? "once" : n === 2 ? "twice" : n + " times"; }
  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }
  // The reason codes of core.intro (docs/json.md), in words; near is nearer to you than far.
  var REASONS = {
    near_introduced_you: function (n, near, far) { return near + " introduced you to " + far; },
    far_introduced_you: function (n, near, far) { return far + " introduced you to " + near; },
    meetings: function (n) { return "in " + plural(n, "meeting", "meetings") + " together"; },
    far_replied: function (n, near, far) { return far + " answered " + near + " " + times(n); },
    near_replied: function (n, near, far) { return near + " answered " + far + " " + times(n); },
    far_wrote: function (n, near, far) { return far + " wrote to " + near + " " + times(n); },
    together: function (n) { return "named together on " + plural(n, "message", "messages"); },
    near_wrote: function (n, near, far) { return near + " wrote to " + far + " " + times(n); },
    introduction_took: function () { return "you introduced them and they followed up"; },
    introduced_by_you: function () { return "you introduced them"; },
    days_since: function (n) {
      return n === 0 ? "last seen together today" : "last seen together " + plural(n, "day", "days") + " ago";
    }
  };

  function short(person) {
    var words = String((person && person.name) || "").trim().split(/\s+/);
    return words[0] ? words[0] : String((person && person.address) || "?");
  }

  function hopText(hop, people) {
    var near = short(people[hop.from]);
    var far = short(people[hop.to]);
    var parts = [];
    (Array.isArray(hop.reasons) ? hop.reasons : []).forEach(function (reason) {
      var words = REASONS[reason.code];
      if (words) { parts.push(words(reason.count, near, far)); }
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
        person.tier ? el("span", { className: "muted" }, " · tier " + person.tier + " · score " + score(person.score))
          : el("span", { className: "muted" }, " · not in your network")));
    });
    var hops = el("ul", { className: "reasons" });
    (Array.isArray(path.hops) ? path.hops : []).forEach(function (hop) {
      var who = short(people[hop.from]) + " and " + short(people[hop.to]) + ": ";
      hops.appendChild(el("li", null, who + hopText(hop, people)));
    });
    var parts = [el("section", { className: "notice notice-unknown", "data-state": "stranger" },
      el("h1", null, card.name || card.address),
      el("p", null, "Not in your network yet. You may know them through:")), chain];
    if (path.weaker) { parts.push(el("p", { className: "muted" }, "Two steps: a weaker path.")); }
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
    return request("api/cards?" + query, { method: "GET", headers: {} });
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
      notice("forbidden", "The pane could not prove who it is",
        "Close and reopen this pane. If that does not help, restart “outlook-networking addin serve”.",
        retryButton());
      return null;
    }
    if (!response.ok) {
      notice("error", "outlook-networking could not build " + (address ? "this card" : "these cards"),
        address ? "Run “outlook-networking contact " + address + "” to see why." :
          "Run “outlook-networking brief” to see why.", retryButton());
      return null;
    }
    return response.json().then(function (doc) {
      return mine === generation && doc && Array.isArray(doc.cards) ? doc.cards : null;
    });
  }

  function offline(mine) {
    return function () {
      if (mine !== generation) { return; }
      notice("offline", "outlook-networking is not running",
        "The card comes from the outlook-networking agent on this computer, and it did not answer. " +
        "Start it with “outlook-networking addin serve”, then press Retry.", retryButton());
    };
  }

  function loadMessage(mine, item, owner) {
    var from = item.from;
    var address = from && from.emailAddress;
    if (!address) {
      notice("empty", "No sender", "Select a message to see the card of the person who sent it.");
      return;
    }
    if (same(address, owner)) {
      notice("owner", "This is your own message",
        "Cards describe the people you deal with. Open a message from someone else.");
      return;
    }
    show(el("p", { className: "loading" }, "Looking up " + address + "…"));
    fetchCards([address]).then(function (response) {
      return answered(response, mine, address);
    }).then(function (cards) {
      if (!cards) { return; }
      var card = cards[0] || { known: false };
      if (card.is_owner) {
        notice("owner", "This is your own message",
          "Cards describe the people you deal with. Open a message from someone else.");
      } else if (card.known === false) {
        if (card.intro) {
          renderStranger(card); // someone you may know through someone (core.intro)
        } else {
          notice("unknown", "Not in your network yet",
            "outlook-networking has no history with " + address +
            ". Once you exchange mail or meet, the card appears here.");
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
    show(el("p", { className: "loading" }, "Looking up the people of this meeting…"));
    meetingPeople(item, owner, function (people) {
      if (mine !== generation) { return; }
      if (!people.length) {
        notice("empty", "Nobody else is in this meeting", "Cards describe the people you meet.");
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
      notice("empty", "No sender", "Select a message to see the card of the person who sent it.");
      return;
    }
    if (item.itemType === "appointment") {
      loadMeeting(mine, item, owner);
    } else {
      loadMessage(mine, item, owner);
    }
  }

  function start() {
    if (typeof Office === "undefined" || !Office.onReady) {
      notice("no-office", "Open this pane from Outlook",
        "It shows the relationship card for the sender of the message open in Outlook.");
      return;
    }
    Office.onReady(function () {
      var mailbox = Office.context && Office.context.mailbox;
      if (!mailbox) {
        notice("no-office", "Open this pane from Outlook",
          "It shows the relationship card for the sender of the message open in Outlook.");
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
