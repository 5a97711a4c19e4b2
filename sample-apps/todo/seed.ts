/** One todo. Dates are local `YYYY-MM-DD`. */
export interface Todo {
  id: string;
  title: string;
  date: string;
  done: boolean;
}

/** `YYYY-MM-DD` of a date, in local time (`toISOString` would shift it to UTC). */
export function isoDate(day: Date): string {
  const m = String(day.getMonth() + 1).padStart(2, '0');
  const d = String(day.getDate()).padStart(2, '0');
  return `${day.getFullYear()}-${m}-${d}`;
}

/** True for a real calendar date written `YYYY-MM-DD`. */
export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  return isoDate(new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) === value;
}

/** The date `days` days from `from`. */
export function dayOffset(from: Date, days: number): string {
  return isoDate(new Date(from.getFullYear(), from.getMonth(), from.getDate() + days));
}

/** Demo items around `today`: two today, the rest on nearby days. */
export function seedTodos(today = new Date()): Todo[] {
  const items: [string, number][] = [
    ['Buy milk', 0],
    ['Call the plumber', 0],
    ['Pay the electricity bill', -1],
    ['Prepare standup notes', 1],
    ['Book a dentist appointment', 2],
    ['Water the plants', 2],
    ['Plan the weekend trip', 4],
  ];
  return items.map(([title, offset], i) => ({
    id: `t${i + 1}`,
    title,
    date: dayOffset(today, offset),
    done: false,
  }));
}
