/**
 * Lenient iCalendar parsing for busy time. ical.js throws for the whole text at the first value it cannot read, so
 * one odd property in one event used to lose every event of a feed. Real files carry a few well-known slips, which
 * are repaired before parsing; when the text still does not parse, each event is parsed on its own and only the ones
 * that cannot be understood are skipped — and reported, so the source's health can say so.
 *
 * Repairs (each seen in real exports, issue 14):
 * - `RRULE:…;BYDAY=MO, TU, WE` (Microsoft CDO/Exchange): whitespace inside a recurrence rule is dropped.
 * - `RECURRENCE-ID:20150914` (a bare date on a date series): a date-only value without `VALUE=DATE` gets it.
 */
import ICAL from 'ical.js';

/** Date and date-time properties whose values may be bare dates written without `VALUE=DATE`. */
const DATE_PROPS = /^(DTSTART|DTEND|DUE|RECURRENCE-ID|EXDATE|RDATE)$/i;
const BARE_DATES = /^\d{8}(,\d{8})*$/;

/** Splits a content line into name, parameter text (with its leading `;`) and value, honouring quoted parameters. */
function splitLine(line: string): { name: string; params: string; value: string } | null {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') quoted = !quoted;
    else if (c === ':' && !quoted) {
      const head = line.slice(0, i);
      const semi = head.indexOf(';');
      return semi < 0
        ? { name: head, params: '', value: line.slice(i + 1) }
        : { name: head.slice(0, semi), params: head.slice(semi), value: line.slice(i + 1) };
    }
  }
  return null;
}

function repairLine(line: string): string {
  const parts = splitLine(line);
  if (!parts) return line;
  const { name, params, value } = parts;
  if (/^(RRULE|EXRULE)$/i.test(name) && /\s/.test(value)) return `${name}${params}:${value.replace(/\s+/g, '')}`;
  if (DATE_PROPS.test(name) && !/;VALUE=/i.test(params) && BARE_DATES.test(value.trim())) return `${name}${params};VALUE=DATE:${value.trim()}`;
  return line;
}

/** Unfolded content lines (RFC 5545 §3.1), empty lines dropped. */
function unfold(text: string): string[] {
  return text.replace(/\r\n[ \t]|\n[ \t]/g, '').split(/\r?\n/).filter((l) => l.trim() !== '');
}

interface Block {
  name: string;
  lines: string[];
}

/** The top-level VCALENDARs of the text, each as its own property lines and its child component blocks. */
function calendars(lines: string[]): { props: string[]; children: Block[] }[] {
  const out: { props: string[]; children: Block[] }[] = [];
  let current: { props: string[]; children: Block[] } | null = null;
  let child: Block | null = null;
  let depth = 0;
  for (const line of lines) {
    const begin = /^BEGIN:(.+)$/i.exec(line.trim());
    const end = /^END:(.+)$/i.exec(line.trim());
    if (begin) {
      depth++;
      if (depth === 1) {
        current = begin[1].toUpperCase() === 'VCALENDAR' ? { props: [], children: [] } : null;
        if (current) out.push(current);
        continue;
      }
      if (depth === 2 && current) {
        child = { name: begin[1].toUpperCase(), lines: [] };
        current.children.push(child);
      }
    }
    if (current && depth >= 2 && child) child.lines.push(line);
    else if (current && depth === 1) current.props.push(line);
    if (end) {
      depth = Math.max(0, depth - 1);
      if (depth <= 1) child = null;
    }
  }
  return out;
}

function wrap(props: string[], blocks: string[][]): string {
  return ['BEGIN:VCALENDAR', ...props, ...blocks.flat(), 'END:VCALENDAR', ''].join('\r\n');
}

function uidOf(block: Block): string {
  const line = block.lines.find((l) => /^UID[;:]/i.test(l));
  return line ? line.slice(line.indexOf(':') + 1).trim() : '(no UID)';
}

function reason(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 120);
}

/**
 * Every VCALENDAR in `text` as an ical.js component, repaired and parsed as leniently as possible. Calls `onSkip`
 * once per component it had to leave out (`"VEVENT <uid>: <reason>"`). Throws only when nothing in the text is
 * iCalendar at all, so a login page or an error page is a failing source rather than an empty calendar.
 * Example: `parseLenient(feedText, (what) => skipped.push(what))`.
 */
export function parseLenient(text: string, onSkip: (what: string) => void = () => {}): ICAL.Component[] {
  const lines = unfold(text).map(repairLine);
  const repaired = lines.join('\r\n') + '\r\n';
  try {
    return toComponents(ICAL.parse(repaired));
  } catch (error) {
    const found = calendars(lines);
    if (found.length === 0) throw error;
    return found.map(({ props, children }) => {
      // The calendar's own properties first (a broken one of those is dropped too).
      let root: ICAL.Component;
      try {
        root = new ICAL.Component(ICAL.parse(wrap(props, [])) as never);
      } catch (e) {
        onSkip(`calendar properties: ${reason(e)}`);
        root = new ICAL.Component(ICAL.parse(wrap([], [])) as never);
      }
      for (const child of children) {
        try {
          const parsed = new ICAL.Component(ICAL.parse(wrap([], [child.lines])) as never);
          for (const sub of parsed.getAllSubcomponents()) root.addSubcomponent(sub);
        } catch (e) {
          onSkip(`${child.name} ${child.name === 'VTIMEZONE' ? '' : uidOf(child)}: ${reason(e)}`.replace(/\s+:/, ':'));
        }
      }
      return root;
    });
  }
}

function toComponents(parsed: unknown): ICAL.Component[] {
  // ICAL.parse returns one jCal component, or an array of them when the text holds several VCALENDARs.
  const list = (Array.isArray(parsed) && Array.isArray(parsed[0]) ? parsed : [parsed]) as unknown[];
  return list.map((j) => new ICAL.Component(j as never)).filter((c) => c.name === 'vcalendar');
}
