export interface Module {
  path: string;
  version: string;
  sum?: string;
  replace?: Module;
}

export interface BuildSetting {
  key: string;
  value: string;
}

export interface BuildInfo {
  goVersion: string;
  path: string;
  main?: Module;
  deps: Module[];
  settings: BuildSetting[];
  /** The value of the last setting with this key (`GOARCH`, `-buildmode`, `CGO_ENABLED`, …). */
  setting(key: string): string | undefined;
}

export function makeBuildInfo(fields: Omit<BuildInfo, 'setting'>): BuildInfo {
  return {
    ...fields,
    setting(key: string): string | undefined {
      for (let i = this.settings.length - 1; i >= 0; i--)
        if (this.settings[i]!.key === key) return this.settings[i]!.value;
      return undefined;
    },
  };
}
