// The queue stub: calls made before widget.js arrives are kept and replayed once it loads.
window.Slotline = window.Slotline || function () { (Slotline.q = Slotline.q || []).push(arguments); };
