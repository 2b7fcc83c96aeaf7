// The example page's own code: log every Slotline event and open the popup from the form.
var log = document.getElementById('log');
function write(line) { log.textContent += new Date().toLocaleTimeString() + '  ' + line + '\n'; }

['ready', 'slot_selected', 'closed'].forEach(function (type) {
  Slotline('on', type, function (payload) { write(type + ' ' + JSON.stringify(payload)); });
});
Slotline('on', 'booked', function (booking) {
  write('booked ' + JSON.stringify(booking));
});
window.addEventListener('slotline:booked', function (e) {
  var thanks = document.getElementById('thanks');
  var when = new Date(e.detail.start).toLocaleString([], { dateStyle: 'full', timeStyle: 'short' });
  // An email confirmation goes out only when the server has SMTP_URL set and the visitor gave an address;
  // otherwise it waits in the provider's outbox. The manage link on the confirmation screen always works.
  thanks.textContent = 'Thank you! You are booked for ' + when + '. Keep the manage link from the confirmation screen'
    + ' — if this site sends email, a confirmation with a calendar invitation is on its way too.';
  thanks.hidden = false;
});

document.getElementById('start').addEventListener('submit', function (e) {
  e.preventDefault();
  function value(id) { return document.getElementById(id).value; }
  Slotline('popup', {
    provider: 'demo',
    service: value('service'),
    prefill: { name: value('name'), email: value('email') },
    lang: value('lang'),
  });
});
