// Builds a WhatsApp message offering one time, with a link that opens the booking page on it.
var origin = '{{SLOTLINE_ORIGIN}}';
var $ = function (id) { return document.getElementById(id); };

// Default: the next weekday at 10:00, the kind of time a coach would offer.
var d = new Date();
d.setDate(d.getDate() + 1);
while (d.getDay() === 0 || d.getDay() === 6) d.setDate(d.getDate() + 1);
var pad = function (n) { return String(n).padStart(2, '0'); };
$('when').value = d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + 'T10:00';

function wa(text) {
  var number = $('client').value.replace(/[^0-9]/g, '');
  return 'https://wa.me/' + number + '?text=' + encodeURIComponent(text);
}

function update() {
  var when = new Date($('when').value);
  if (isNaN(when)) return;
  var service = $('service');
  var link = origin + '/c/demo/' + service.value + '?slot=' + encodeURIComponent(when.toISOString());
  var text = 'Hi! I have ' + when.toLocaleString([], { weekday: 'long', day: 'numeric', month: 'long', hour: 'numeric', minute: '2-digit' }) +
    ' free for your ' + service.options[service.selectedIndex].text.toLowerCase() + '. Tap to confirm it: ' + link;
  $('message').textContent = text;
  $('share').href = wa(text);
  $('open').href = link;
  $('general').href = wa('Book a time with me whenever it suits you: ' + origin + '/c/demo');
}
$('offer').addEventListener('input', update);
update();
