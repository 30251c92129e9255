// The subset of playwright-core's API the harness uses. playwright-core is loaded at
// run time from the harness cache (see paths.ts), not from node_modules, so its own
// types are not resolvable here; keep these signatures faithful to playwright-core 1.65.
declare module 'playwright-core' {
  export interface LaunchOptions {
    executablePath?: string;
    headless?: boolean;
    args?: string[];
    timeout?: number;
  }

  export interface BrowserContextOptions {
    viewport?: { width: number; height: number } | null;
    permissions?: string[];
    acceptDownloads?: boolean;
  }

  export interface BrowserType {
    launchPersistentContext(userDataDir: string, options?: LaunchOptions & BrowserContextOptions): Promise<BrowserContext>;
  }

  export interface BrowserContext {
    pages(): Page[];
    newPage(): Promise<Page>;
    grantPermissions(permissions: string[], options?: { origin?: string }): Promise<void>;
    close(): Promise<void>;
  }

  export interface ConsoleMessage {
    type(): string;
    text(): string;
  }

  export interface Keyboard {
    press(key: string, options?: { delay?: number }): Promise<void>;
    type(text: string, options?: { delay?: number }): Promise<void>;
    insertText(text: string): Promise<void>;
  }

  export interface Mouse {
    move(x: number, y: number, options?: { steps?: number }): Promise<void>;
    down(): Promise<void>;
    up(): Promise<void>;
  }

  export interface Page {
    goto(url: string, options?: { timeout?: number; waitUntil?: 'load' | 'domcontentloaded' | 'networkidle' | 'commit' }): Promise<unknown>;
    exposeFunction(name: string, callback: (...args: any[]) => unknown): Promise<void>;
    locator(selector: string, options?: LocatorOptions): Locator;
    frameLocator(selector: string): FrameLocator;
    screenshot(options?: { path?: string; fullPage?: boolean; timeout?: number }): Promise<Buffer>;
    evaluate<R>(expression: string): Promise<R>;
    evaluate<R>(pageFunction: () => R | Promise<R>): Promise<R>;
    evaluate<R, Arg>(pageFunction: (arg: Arg) => R | Promise<R>, arg: Arg): Promise<R>;
    waitForTimeout(timeout: number): Promise<void>;
    on(event: 'console', listener: (message: ConsoleMessage) => void): Page;
    on(event: 'pageerror', listener: (error: Error) => void): Page;
    on(event: 'close', listener: () => void): Page;
    keyboard: Keyboard;
    mouse: Mouse;
    url(): string;
    title(): Promise<string>;
    frames(): Frame[];
  }

  export interface Frame {
    url(): string;
    evaluate<R>(expression: string): Promise<R>;
  }

  export interface LocatorOptions {
    hasText?: string | RegExp;
    hasNotText?: string | RegExp;
    has?: Locator;
  }

  export interface Locator {
    locator(selector: string, options?: LocatorOptions): Locator;
    filter(options: LocatorOptions & { visible?: boolean }): Locator;
    first(): Locator;
    last(): Locator;
    nth(index: number): Locator;
    count(): Promise<number>;
    click(options?: {
      button?: 'left' | 'right' | 'middle';
      modifiers?: ('Control' | 'Shift' | 'Alt' | 'Meta')[];
      timeout?: number;
      force?: boolean;
    }): Promise<void>;
    dblclick(options?: { timeout?: number }): Promise<void>;
    hover(options?: { timeout?: number }): Promise<void>;
    fill(value: string, options?: { timeout?: number }): Promise<void>;
    press(key: string, options?: { timeout?: number }): Promise<void>;
    waitFor(options?: { state?: 'attached' | 'detached' | 'visible' | 'hidden'; timeout?: number }): Promise<void>;
    isVisible(): Promise<boolean>;
    inputValue(options?: { timeout?: number }): Promise<string>;
    textContent(options?: { timeout?: number }): Promise<string | null>;
    innerText(options?: { timeout?: number }): Promise<string>;
    allInnerTexts(): Promise<string[]>;
    allTextContents(): Promise<string[]>;
    getAttribute(name: string, options?: { timeout?: number }): Promise<string | null>;
    screenshot(options?: { path?: string; timeout?: number }): Promise<Buffer>;
    evaluate<R>(pageFunction: string | ((element: any) => R | Promise<R>)): Promise<R>;
    boundingBox(options?: { timeout?: number }): Promise<{ x: number; y: number; width: number; height: number } | null>;
    scrollIntoViewIfNeeded(options?: { timeout?: number }): Promise<void>;
  }

  export interface FrameLocator {
    locator(selector: string, options?: LocatorOptions): Locator;
    frameLocator(selector: string): FrameLocator;
    first(): FrameLocator;
    last(): FrameLocator;
  }

  export const chromium: BrowserType;
}
