/*
 * Stand-in for Office.js in an Outlook read form, for the task pane's browser tests.
 * Provides Office.onReady and Office.context.mailbox (item.from, userProfile, addHandlerAsync).
 * The test replaces __CONFIG__ with {sender, name, owner, defer} as JSON.
 */
(function () {
  var config = __CONFIG__;
  var handlers = {};
  function item(address, displayName) {
    if (!address) { return null; }
    return { itemType: "message", from: { emailAddress: address, displayName: displayName } };
  }
  var mailbox = {
    userProfile: { emailAddress: config.owner, displayName: "Me" },
    item: item(config.sender, config.name),
    addHandlerAsync: function (type, handler, callback) {
      handlers[type] = handler;
      if (callback) { callback({ status: "succeeded" }); }
    }
  };
  window.Office = {
    EventType: { ItemChanged: "olkItemSelectedChanged" },
    HostType: { Outlook: "Outlook" },
    context: { mailbox: mailbox },
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
