import type { App } from 'microcanvas/sdk';

/** The todo app's public state: counts only, no titles. */
export interface TodoState {
  open: number;
  total: number;
  /** Open items per ISO date. */
  byDate: Record<string, number>;
}

/** What the todo app publishes and shares, as types for itself and its peers. */
export type TodoApp = App<
  'todo',
  {
    /** An item was ticked. */
    'todo.item.completed': { id: string; title: string; date: string };
  },
  TodoState
>;
