/**
 * The INI form cloud-provider-openstack reads (`cloud.conf`): `[Section]` then `key = "value"` lines,
 * values quoted as the OpenStack chart's own cloud-config template quotes them.
 */
export function ini(sections: Readonly<Record<string, Readonly<Record<string, string | undefined>>>>): string {
    return Object.entries(sections).map(([section, entries]) => [
        `[${section}]`,
        ...Object.entries(entries).filter(([, value]) => value !== undefined).map(([key, value]) => `${key} = ${JSON.stringify(value)}`),
    ].join("\n")).join("\n\n") + "\n";
}
