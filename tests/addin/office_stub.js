/*
 * Stand-in for Office.js in Outlook, for the task pane's browser tests.
 * Provides Office.onReady and Office.context.mailbox (item, userProfile, addHandlerAsync).
 * The test replaces __CONFIG__ with {sender, name, owner, defer, meeting, displayLanguage} as
 * JSON; displayLanguage is what Office.context.displayLanguage reports (the language Outlook shows
 * its own menus in, "de-DE"; default "en-US").
 *
 * A message read form: item.itemType "message" and item.from.
 * A meeting (config.meeting = {mode, subject, organizer, required, optional, resources, rooms},
 * people as {address, name, type}): item.itemType "appointment". In the attendee's read form
 * (mode "read", AppointmentRead) organizer is an EmailAddressDetails, requiredAttendees and
 * optionalAttendees are arrays, resources lists the booked rooms, subject is a string. In the
 * organizer's form (mode "compose", AppointmentCompose) each of organizer, requiredAttendees,
 * optionalAttendees and subject is an object with getAsync (Mailbox 1.1/1.7), and the booked rooms
 * are in enhancedLocation.getAsync as locations of type "room" (Mailbox 1.8).
 */
(function () {
  var config = __CONFIG__;
  var handlers = {};

  function details(person) { // Office.EmailAddressDetails
    return { emailAddress: person.address, displayName: person.name || "",
      recipientType: person.type || "user", appointmentResponse: "accepted" };
  }

  function later(value) { // an object with getAsync, answering asynchronously as Outlook does
    return { getAsync: function (options, callback) {
      var done = typeof options === "function" ? options : callback;
      setTimeout(function () { done({ status: "succeeded", value: value }); }, 0);
    } };
  }

  function meetingItem(meeting) {
    var organizer = details(meeting.organizer);
    var required = (meeting.required || []).map(details);
    var optional = (meeting.optional || []).map(details);
    var booked = (meeting.resources || []).map(details);
    if (meeting.mode === "compose") {
      return { itemType: "appointment", organizer: later(organizer), subject: later(meeting.subject),
        requiredAttendees: later(required), optionalAttendees: later(optional),
        enhancedLocation: later((meeting.rooms || []).map(function (room) {
          return { emailAddress: room.address, displayName: room.name,
            locationIdentifier: { id: room.address, type: "room" } };
        })) };
    }
    return { itemType: "appointment", organizer: organizer, subject: meeting.subject,
      requiredAttendees: required, optionalAttendees: optional, resources: booked };
  }

  function item(address, displayName) {
    if (!address) { return null; }
    return { itemType: "message", from: { emailAddress: address, displayName: displayName } };
  }
  var mailbox = {
    userProfile: { emailAddress: config.owner, displayName: "Me" },
    item: config.meeting ? meetingItem(config.meeting) : item(config.sender, config.name),
    addHandlerAsync: function (type, handler, callback) {
      handlers[type] = handler;
      if (callback) { callback({ status: "succeeded" }); }
    }
  };
  window.Office = {
    EventType: { ItemChanged: "olkItemSelectedChanged" },
    HostType: { Outlook: "Outlook" },
    MailboxEnums: { ItemType: { Message: "message", Appointment: "appointment" } },
    context: { mailbox: mailbox, displayLanguage: config.displayLanguage || "en-US" },
    onReady: function (callback) {
      var info = { host: "Outlook", platform: "PC" };
      return new Promise(function (resolve) {
        function run() { if (callback) { callback(info); } resolve(info); }
        if (config.defer) { window.__officeReady = run; } else { setTimeout(run, 0); }
      });
    }
  };
  // What Outlook does when the user selects another message while the pane is pinned.
  window.__selectItem = function (address, displayName) {
    mailbox.item = item(address, displayName);
    var handler = handlers["olkItemSelectedChanged"];
    if (handler) { handler({ type: "olkItemSelectedChanged" }); }
  };
})();
