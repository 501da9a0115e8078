/*
 * Task pane of the outlook-networking Outlook add-in.
 *
 * Reads the sender of the open message through Office.js, asks the local card server
 * (same origin, GET /api/card) for that person's card and renders it. Every piece of data
 * goes into the page as text nodes, never as HTML, so nothing in a card can inject markup.
 */
(function () {
  "use strict";

  var SECRET_HEADER = "X-Outlook-Networking-Secret";
  var FETCH_TIMEOUT_MS = 8000;
  var TIER_NAMES = { A: "Key relationship", B: "Close", C: "Wider network", D: "Fading out" };
  // The kinds core.followups and the give-and-take ledger produce; others get a readable fallback.
  var FOLLOWUP_KINDS = {
    owed_reply: "You owe a reply",
    awaiting_answer: "Waiting for their answer",
    keep_in_touch: "Keep in touch",
    cooling: "Going quiet",
    unreciprocated: "No answer to your approaches",
    thank_or_return: "Thank them or return the favour",
    annual_review: "Annual review"
  };
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
      el("span", { className: "tier-score" }, "score " + number(card.score))));

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
      followups.forEach(function (item) {
        var due = parseDate(item.due);
        var overdue = due && due.getTime() < Date.now();
        items.appendChild(el("li", { className: overdue ? "overdue" : "" },
          el("div", { className: "fu-head" },
            el("span", { className: "fu-kind" }, kindLabel(item.kind)),
            due ? el("span", { className: "fu-due" }, (overdue ? "overdue since " : "due ") + shortDate(due)) : null),
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
        person.tier ? el("span", { className: "muted" }, " · tier " + person.tier + " · score " + number(person.score))
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

  function fetchCard(address) {
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, FETCH_TIMEOUT_MS) : null;
    var headers = {};
    headers[SECRET_HEADER] = secret();
    return fetch("api/card?address=" + encodeURIComponent(address), {
      method: "GET",
      headers: headers,
      credentials: "omit",
      cache: "no-store",
      signal: controller ? controller.signal : undefined
    }).finally(function () { if (timer) { clearTimeout(timer); } });
  }

  function same(a, b) {
    return String(a || "").trim().toLowerCase() === String(b || "").trim().toLowerCase();
  }

  function load() {
    var mine = ++generation;
    var mailbox = Office.context && Office.context.mailbox;
    var item = mailbox && mailbox.item;
    var from = item && item.from;
    var address = from && from.emailAddress;
    if (!address) {
      notice("empty", "No sender", "Select a message to see the card of the person who sent it.");
      return;
    }
    var owner = mailbox.userProfile && mailbox.userProfile.emailAddress;
    if (same(address, owner)) {
      notice("owner", "This is your own message",
        "Cards describe the people you deal with. Open a message from someone else.");
      return;
    }
    show(el("p", { className: "loading" }, "Looking up " + address + "…"));
    fetchCard(address).then(function (response) {
      if (mine !== generation) { return; }
      if (response.status === 404) {
        notice("unknown", "Not in your network yet",
          "outlook-networking has no history with " + address +
          ". Once you exchange mail or meet, the card appears here.");
        return;
      }
      if (response.status === 403) {
        notice("forbidden", "The pane could not prove who it is",
          "Close and reopen this pane. If that does not help, restart “outlook-networking addin serve”.",
          retryButton());
        return;
      }
      if (!response.ok) {
        notice("error", "outlook-networking could not build this card",
          "Run “outlook-networking contact " + address + "” to see why.", retryButton());
        return;
      }
      return response.json().then(function (card) {
        if (mine !== generation) { return; }
        if (card.is_owner) {
          notice("owner", "This is your own message",
            "Cards describe the people you deal with. Open a message from someone else.");
          return;
        }
        if (card.known === false) {
          renderStranger(card);
          return;
        }
        renderCard(card);
      });
    }).catch(function () {
      if (mine !== generation) { return; }
      notice("offline", "outlook-networking is not running",
        "The card comes from the outlook-networking agent on this computer, and it did not answer. " +
        "Start it with “outlook-networking addin serve”, then press Retry.", retryButton());
    });
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
