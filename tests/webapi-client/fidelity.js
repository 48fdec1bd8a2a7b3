#!/usr/bin/env node
// Drives the Dataverse emulator with dynamics-web-api, a Web API client nobody in this project
// wrote: if the emulator answers the way Dataverse does, this client works against it unchanged.
//
//   node fidelity.js --url http://127.0.0.1:PORT --client-id ID [--tenant T]
//       talks to a running emulator;
//   node fidelity.js --emulator BIN --seed EXPORT.zip --org-version 9.2 --client-id ID [--tenant T]
//       starts BIN on port 0, reads its base URL from its first stdout line, runs, and stops it.
// The client secret comes from the environment variable ESCPROV_FAKE_SECRET (never the command
// line). Options --entity-set/--entity/--name-column pick the table records are made in (default
// accounts/account/name). Prints one "ok" line per check; exits 1 with the reason on a mismatch.
"use strict";

const { spawn } = require("node:child_process");
const readline = require("node:readline");
const { DynamicsWebApi } = require("dynamics-web-api");

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

class Mismatch extends Error {}

function check(condition, message) {
    if (!condition) {
        throw new Mismatch(message);
    }
}

function parseArgs(argv) {
    const options = { tenant: "escprov-test", entitySet: "accounts", entity: "account", nameColumn: "name" };
    const names = {
        "--url": "url",
        "--emulator": "emulator",
        "--seed": "seed",
        "--org-version": "orgVersion",
        "--client-id": "clientId",
        "--tenant": "tenant",
        "--entity-set": "entitySet",
        "--entity": "entity",
        "--name-column": "nameColumn",
    };
    for (let i = 2; i < argv.length; i += 2) {
        const key = names[argv[i]];
        if (!key || i + 1 >= argv.length) {
            throw new Mismatch(`usage: unknown or incomplete option '${argv[i]}'`);
        }
        options[key] = argv[i + 1];
    }
    check(options.url || options.emulator, "usage: give --url or --emulator");
    check(options.clientId, "usage: give --client-id");
    check(process.env.ESCPROV_FAKE_SECRET, "the client secret must be in ESCPROV_FAKE_SECRET");
    return options;
}

// Starts the emulator and resolves with its base URL (its first stdout line), within a deadline.
function startEmulator(options) {
    const args = ["--port", "0", "--seed", options.seed, "--org-version", options.orgVersion || "9.2",
        "--client-id", options.clientId];
    const child = spawn(options.emulator, args, { stdio: ["ignore", "pipe", "inherit"], env: process.env });
    const base = new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Mismatch("the emulator printed no base URL within 30 s")), 30000);
        child.on("error", (error) => {
            clearTimeout(timer);
            reject(new Mismatch(`cannot start the emulator '${options.emulator}': ${error.message}`));
        });
        child.on("exit", (code) => {
            clearTimeout(timer);
            reject(new Mismatch(`the emulator exited (${code}) before printing its base URL`));
        });
        readline.createInterface({ input: child.stdout }).once("line", (line) => {
            clearTimeout(timer);
            resolve(line.trim());
        });
    });
    return { child, base };
}

async function fetchToken(options, base) {
    const form = new URLSearchParams({
        grant_type: "client_credentials",
        client_id: options.clientId,
        client_secret: process.env.ESCPROV_FAKE_SECRET,
        scope: `${base}/.default`,
    });
    const response = await fetch(`${base}/${options.tenant}/oauth2/v2.0/token`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: form,
    });
    check(response.status === 200, `the token endpoint answered HTTP ${response.status}`);
    const body = await response.json();
    check(body.token_type === "Bearer" && typeof body.access_token === "string" && body.access_token.length > 0,
        "the token endpoint's answer has no Bearer access_token");
    return body.access_token;
}

function ok(message) {
    console.log(`ok: ${message}`);
}

async function runChecks(options, base) {
    // The library asks for a token before each request; the emulator's tokens last an hour, so
    // one is fetched at the start and renewed after half an hour.
    let token = await fetchToken(options, base);
    let fetchedAt = Date.now();
    const api = new DynamicsWebApi({
        serverUrl: base,
        dataApi: { version: "9.2" },
        onTokenRefresh: async () => {
            if (Date.now() - fetchedAt > 30 * 60 * 1000) {
                token = await fetchToken(options, base);
                fetchedAt = Date.now();
            }
            return token;
        },
    });
    const run = `dwa${Date.now().toString(36)}`;
    const names = Array.from({ length: 7 }, (_, i) => `${run}-${String(i).padStart(2, "0")}`);
    const nameColumn = options.nameColumn;

    const me = await api.callFunction("WhoAmI");
    check(GUID.test(me.UserId) && GUID.test(me.BusinessUnitId) && GUID.test(me.OrganizationId),
        `WhoAmI: expected three lower-case GUIDs, got ${JSON.stringify(me)}`);
    ok(`WhoAmI (UserId ${me.UserId})`);

    const ids = [];
    for (const name of names) {
        const id = await api.create({ collection: options.entitySet, data: { [nameColumn]: name } });
        check(typeof id === "string" && GUID.test(id), `create: expected the new record's GUID, got ${JSON.stringify(id)}`);
        ids.push(id);
    }
    check(new Set(ids).size === ids.length, "create: two records got the same id");
    ok(`created ${ids.length} ${options.entitySet}`);

    const one = await api.retrieve({ collection: options.entitySet, key: ids[3], select: [nameColumn] });
    check(one && one[nameColumn] === names[3], `retrieve: expected ${nameColumn} '${names[3]}', got ${JSON.stringify(one)}`);
    check(one[`${options.entity}id`] === ids[3], `retrieve: the row does not carry its id ${ids[3]}`);
    check(typeof one["@odata.etag"] === "string", "retrieve: the row has no @odata.etag");
    ok("retrieve with $select");

    const filter = `startswith(${nameColumn},'${run}-')`;
    const firstPage = await api.retrieveMultiple({
        collection: options.entitySet, select: [nameColumn], filter, maxPageSize: 3,
    });
    check(firstPage.value.length === 3, `retrieveMultiple with maxPageSize 3: got ${firstPage.value.length} rows`);
    check(typeof firstPage.oDataNextLink === "string" && firstPage.oDataNextLink.includes("$skiptoken="),
        "retrieveMultiple with maxPageSize 3: no @odata.nextLink with a $skiptoken");
    const all = await api.retrieveAll({
        collection: options.entitySet, select: [nameColumn], filter, orderBy: [`${nameColumn} asc`], maxPageSize: 3,
    });
    const allNames = all.value.map((row) => row[nameColumn]);
    check(JSON.stringify(allNames) === JSON.stringify(names),
        `retrieveAll (pages of 3): expected ${JSON.stringify(names)}, got ${JSON.stringify(allNames)}`);
    ok("retrieveAll over pages of 3 with odata.maxpagesize");

    const fetchXml = `<fetch count="3"><entity name="${options.entity}"><attribute name="${nameColumn}"/>` +
        `<filter><condition attribute="${nameColumn}" operator="like" value="${run}-%"/></filter>` +
        `<order attribute="${nameColumn}" descending="true"/></entity></fetch>`;
    const fetchPage = await api.fetch({ collection: options.entitySet, fetchXml, pageNumber: 1 });
    check(fetchPage.value.length === 3 && fetchPage.PagingInfo && fetchPage.PagingInfo.nextPage === 2,
        `fetch page 1: expected 3 rows and paging info for page 2, got ${JSON.stringify(fetchPage.PagingInfo)}`);
    const fetched = await api.fetchAll({ collection: options.entitySet, fetchXml });
    const fetchedNames = fetched.value.map((row) => row[nameColumn]);
    const reversed = [...names].reverse();
    check(JSON.stringify(fetchedNames) === JSON.stringify(reversed),
        `fetchAll (count 3, paging cookies): expected ${JSON.stringify(reversed)}, got ${JSON.stringify(fetchedNames)}`);
    ok("fetchAll over pages of 3 with paging cookies");

    api.startBatch();
    api.create({ collection: options.entitySet, data: { [nameColumn]: `${run}-batch-a` }, contentId: "1" });
    api.create({ collection: options.entitySet, data: { [nameColumn]: `${run}-batch-b` } });
    api.retrieveMultiple({ collection: options.entitySet, select: [nameColumn], filter: `startswith(${nameColumn},'${run}-batch-')` });
    const batch = await api.executeBatch();
    check(Array.isArray(batch) && batch.length === 3 && GUID.test(batch[0]) && GUID.test(batch[1]),
        `executeBatch: expected two new ids and a query result, got ${JSON.stringify(batch)}`);
    const batchNames = batch[2].value.map((row) => row[nameColumn]).sort();
    check(JSON.stringify(batchNames) === JSON.stringify([`${run}-batch-a`, `${run}-batch-b`]),
        `executeBatch: the GET after the change set saw ${JSON.stringify(batchNames)}`);
    ok("executeBatch: a change set of two creates and a query");

    await api.callAction({ actionName: "PublishAllXml" });
    ok("callAction PublishAllXml");

    const solutions = await api.retrieveMultiple({
        collection: "solutions", select: ["solutionid", "uniquename", "friendlyname", "version", "ismanaged"],
    });
    const unique = solutions.value.map((row) => row.uniquename);
    check(unique.includes("Default") && unique.includes("System"),
        `retrieveMultiple solutions: expected Default and System among ${JSON.stringify(unique)}`);
    check(solutions.value.every((row) => GUID.test(row.solutionid) && typeof row.version === "string"),
        "retrieveMultiple solutions: a row lacks a lower-case solutionid or a version");
    ok(`retrieveMultiple solutions (${unique.length})`);
}

async function main() {
    let child = null;
    try {
        const options = parseArgs(process.argv);
        let base = options.url;
        if (options.emulator) {
            const started = startEmulator(options);
            child = started.child;
            base = await started.base;
        }
        base = base.replace(/\/+$/, "");
        await runChecks(options, base);
        console.log("dynamics-web-api fidelity: all checks passed");
        return 0;
    } catch (error) {
        const detail = error instanceof Mismatch ? error.message
            : `${error.message || error}${error.status ? ` (HTTP ${error.status})` : ""}`;
        console.error(`dynamics-web-api fidelity: FAILED: ${detail}`);
        return 1;
    } finally {
        if (child && child.exitCode === null) {
            child.kill("SIGTERM");
        }
    }
}

main().then((code) => {
    process.exitCode = code;
});
