import termkit from 'terminal-kit';
import type { LineStyle, ViewLine } from './top-view.js';

type Terminal = typeof termkit.terminal;
type Chain = Terminal['red'];

const styled: Readonly<Record<LineStyle, (t: Terminal) => Chain>> = {
  title: (t) => t.bold,
  header: (t) => t.inverse,
  row: (t) => t.defaultColor,
  'error-row': (t) => t.red,
  status: (t) => t.dim,
};

/**
 * `top`'s terminal, through terminal-kit: the alternate screen, a hidden cursor and raw keys while
 * it runs, and everything put back by restore(), which is idempotent and also runs on an uncaught
 * exception and at process 'exit', so a signal or a crash leaves the terminal as it was. Text is written with
 * noFormat: terminal-kit would read `^` and `%` in it as markup.
 */
export class TopTerminal {
  private readonly term: Terminal = termkit.terminal;
  private active = false;
  private readonly onExit = (): void => this.restore();

  constructor(private readonly color: boolean) {}

  get width(): number {
    return this.term.width;
  }

  get height(): number {
    return this.term.height;
  }

  start(onKey: (name: string) => void, onResize: () => void): void {
    this.active = true;
    process.on('exit', this.onExit);
    // Runs before Node prints an uncaught exception: the stack then shows on the normal screen.
    process.on('uncaughtExceptionMonitor', this.onExit);
    this.term.fullscreen(true);
    this.term.hideCursor(true);
    this.term.grabInput(true);
    this.term.on('key', onKey);
    this.term.on('resize', onResize);
  }

  draw(lines: readonly ViewLine[]): void {
    if (!this.active) return;
    lines.forEach((line, i) => {
      this.term.moveTo(1, i + 1);
      if (this.color) styled[line.style](this.term).noFormat(line.text);
      else this.term.noFormat(line.text);
      this.term.eraseLineAfter();
    });
    this.term.moveTo(1, lines.length + 1);
    this.term.eraseDisplayBelow();
  }

  /** Reads a line on the last row; undefined when Escape cancels it. */
  prompt(label: string, initial: string): Promise<string | undefined> {
    this.term.moveTo(1, this.term.height);
    this.term.eraseLine();
    this.term.noFormat(label);
    this.term.hideCursor(false);
    return new Promise((resolve) => {
      this.term.inputField({ cancelable: true, default: initial }, (_error, input) => {
        this.term.hideCursor(true);
        resolve(input);
      });
    });
  }

  restore(): void {
    if (!this.active) return;
    this.active = false;
    this.term.grabInput(false);
    this.term.styleReset();
    this.term.hideCursor(false);
    this.term.fullscreen(false);
    process.removeListener('exit', this.onExit);
    process.removeListener('uncaughtExceptionMonitor', this.onExit);
  }
}
