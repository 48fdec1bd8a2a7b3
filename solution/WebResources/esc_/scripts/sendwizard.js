// Email Service Connector: the Email Send Wizard (dotdigital).
// Ribbon entry point on Marketing List (Esc.SendWizard.open) and the logic of the wizard page
// esc_/html/sendwizard.html (Esc.SendWizard.Page). ES5 only: CRM 2011 runs it in old browsers.
// The wizard does not call dotdigital: it posts a request, an Email Campaign record with status
// "Sending" linked to the list, which the connector service picks up, sends and completes.
var Esc = window.Esc || {};
Esc.SendWizard = {
    pageName: "esc_/html/sendwizard.html",
    statusDraft: 772630000,
    statusSending: 772630001,

    // Ribbon command. ids: the form's record id (a string) or the grid's selected ids (an array).
    open: function (ids) {
        "use strict";
        var listId = (Object.prototype.toString.call(ids) === "[object Array]" ? ids[0] : ids) || "";
        listId = listId.replace(/[{}]/g, "");
        if (!listId) {
            return;
        }
        var data = "listid=" + listId;
        var xrm = window.Xrm;
        if (xrm && xrm.Navigation && xrm.Navigation.openWebResource) {
            xrm.Navigation.openWebResource(Esc.SendWizard.pageName, { width: 560, height: 420, openInNewWindow: true }, data);
        } else if (xrm && xrm.Utility && xrm.Utility.openWebResource) {
            xrm.Utility.openWebResource(Esc.SendWizard.pageName, data, 560, 420);
        } else {
            var ctx = xrm.Page.context;
            var base = ctx.getClientUrl ? ctx.getClientUrl() : ctx.getServerUrl();
            window.open(base + "/WebResources/" + Esc.SendWizard.pageName + "?Data=" + encodeURIComponent(data),
                "_blank", "width=560,height=420,resizable=yes");
        }
    }
};

// The wizard page: pick an email account, then one of its draft campaigns, then send.
Esc.SendWizard.Page = {
    listId: null,
    campaigns: [],

    start: function () {
        "use strict";
        var page = Esc.SendWizard.Page;
        var match = /(?:^|&)listid=([0-9a-fA-F-]{36})/.exec(decodeURIComponent(page.query("Data")));
        page.listId = match ? match[1] : null;
        if (!page.listId) {
            page.status("Open the wizard from a Marketing List.");
            return;
        }
        page.api = Esc.SendWizard.Api.create(GetGlobalContext());
        page.api.list("esc_emailaccount", "statecode eq 0", ["esc_emailaccountid", "esc_name", "esc_isdefault"],
            function (accounts) {
                page.fill("account", accounts, "esc_emailaccountid", "esc_name");
                page.loadCampaigns();
            }, page.failed);
        document.getElementById("account").onchange = page.loadCampaigns;
        document.getElementById("send").onclick = page.send;
        document.getElementById("cancel").onclick = function () { window.close(); };
    },

    loadCampaigns: function () {
        "use strict";
        var page = Esc.SendWizard.Page;
        var accountId = document.getElementById("account").value;
        page.campaigns = [];
        if (!accountId) {
            page.fill("campaign", [], "", "");
            return;
        }
        var filter = page.api.lookupFilter("esc_emailaccountid", accountId) +
            " and esc_campaignstatus eq " + Esc.SendWizard.statusDraft;
        page.api.list("esc_emailcampaign", filter,
            ["esc_emailcampaignid", "esc_name", "esc_subject", "esc_dotdigitalcampaignid"],
            function (campaigns) {
                page.campaigns = campaigns;
                page.fill("campaign", campaigns, "esc_emailcampaignid", "esc_name");
            }, page.failed);
    },

    send: function () {
        "use strict";
        var page = Esc.SendWizard.Page;
        var accountId = document.getElementById("account").value;
        var chosen = document.getElementById("campaign").selectedIndex;
        if (!accountId || chosen < 0 || !page.campaigns[chosen]) {
            page.status("Choose an email account and a campaign.");
            return;
        }
        var draft = page.campaigns[chosen];
        document.getElementById("send").disabled = true;
        page.status("Posting the send request...");
        var request = {
            esc_name: draft.esc_name,
            esc_subject: draft.esc_subject,
            esc_dotdigitalcampaignid: draft.esc_dotdigitalcampaignid,
            esc_campaignstatus: Esc.SendWizard.statusSending
        };
        page.api.create("esc_emailcampaign", request, { esc_emailaccountid: ["esc_emailaccount", accountId] },
            function (requestId) {
                page.api.associate("esc_emailcampaign", requestId, "esc_emailcampaign_list", "list", page.listId,
                    function () {
                        page.status("Send requested. The statistics appear on the Email Campaign once dotdigital has sent it.");
                    }, page.failed);
            }, page.failed);
    },

    fill: function (id, rows, valueField, textField) {
        "use strict";
        var select = document.getElementById(id);
        select.options.length = 0;
        for (var i = 0; i < rows.length; i += 1) {
            select.options[select.options.length] = new Option(rows[i][textField], rows[i][valueField]);
            if (rows[i].esc_isdefault === true) {
                select.selectedIndex = i;
            }
        }
    },

    query: function (name) {
        "use strict";
        var match = new RegExp("[?&]" + name + "=([^&]*)").exec(window.location.search);
        return match ? match[1].replace(/\+/g, " ") : "";
    },

    status: function (text) {
        "use strict";
        document.getElementById("status").innerHTML = "";
        document.getElementById("status").appendChild(document.createTextNode(text));
    },

    failed: function (message) {
        "use strict";
        document.getElementById("send").disabled = false;
        Esc.SendWizard.Page.status("The request failed: " + message);
    }
};

// Data access: the Web API from CRM 2016 (8.0) on, the 2011 OData endpoint before it.
Esc.SendWizard.Api = {
    // Lookups are bound (Web API) and filtered (OData 2011) by the attribute's schema name.
    lookups: { esc_emailaccountid: "esc_EmailAccountId" },

    create: function (context) {
        "use strict";
        var version = context.getVersion ? parseInt(context.getVersion(), 10) : 5;
        var base = context.getClientUrl ? context.getClientUrl() : context.getServerUrl();
        return version >= 8 ? Esc.SendWizard.Api.webApi(base + "/api/data/v8.0/")
                            : Esc.SendWizard.Api.odata(base + "/XRMServices/2011/OrganizationData.svc/");
    },

    send: function (method, url, body, done, failed) {
        "use strict";
        var xhr = new XMLHttpRequest();
        xhr.open(method, url, true);
        xhr.setRequestHeader("Accept", "application/json");
        xhr.setRequestHeader("Content-Type", "application/json; charset=utf-8");
        xhr.onreadystatechange = function () {
            if (xhr.readyState !== 4) {
                return;
            }
            if (xhr.status >= 200 && xhr.status < 300) {
                done(xhr.responseText ? JSON.parse(xhr.responseText) : null, xhr);
            } else {
                failed(xhr.status + " " + xhr.statusText);
            }
        };
        xhr.send(body ? JSON.stringify(body) : null);
    },

    webApi: function (root) {
        "use strict";
        var send = Esc.SendWizard.Api.send;
        return {
            lookupFilter: function (field, id) { return "_" + field + "_value eq " + id; },
            list: function (entity, filter, fields, done, failed) {
                send("GET", root + entity + "s?$select=" + fields.join(",") + "&$filter=" + encodeURIComponent(filter),
                    null, function (result) { done(result.value); }, failed);
            },
            create: function (entity, values, lookups, done, failed) {
                for (var field in lookups) {
                    if (lookups.hasOwnProperty(field)) {
                        values[Esc.SendWizard.Api.lookups[field] + "@odata.bind"] =
                            "/" + lookups[field][0] + "s(" + lookups[field][1] + ")";
                    }
                }
                send("POST", root + entity + "s", values, function (result, xhr) {
                    done(/\(([0-9a-fA-F-]{36})\)/.exec(xhr.getResponseHeader("OData-EntityId"))[1]);
                }, failed);
            },
            associate: function (entity, id, relationship, other, otherId, done, failed) {
                send("POST", root + entity + "s(" + id + ")/" + relationship + "/$ref",
                    { "@odata.id": root + other + "s(" + otherId + ")" }, done, failed);
            }
        };
    },

    // The 2011 endpoint names entity sets <SchemaName>Set and properties by schema name.
    odata: function (root) {
        "use strict";
        var send = Esc.SendWizard.Api.send;
        var schema = {
            esc_emailaccountid: "esc_emailaccountId", esc_emailcampaignid: "esc_emailcampaignId",
            esc_isdefault: "esc_IsDefault", esc_subject: "esc_Subject", esc_campaignstatus: "esc_CampaignStatus",
            esc_dotdigitalcampaignid: "esc_DotdigitalCampaignId", list: "List"
        };
        var name = function (field) { return schema[field] || field; };
        var lookup = Esc.SendWizard.Api.lookups;
        return {
            lookupFilter: function (field, id) { return lookup[field] + "/Id eq guid'" + id + "'"; },
            list: function (entity, filter, fields, done, failed) {
                var select = [];
                for (var i = 0; i < fields.length; i += 1) {
                    select.push(name(fields[i]));
                }
                // option sets are { Value: n } objects on this endpoint
                filter = filter.replace(/statecode eq (\d+)/, "statecode/Value eq $1")
                    .replace(/esc_campaignstatus eq (\d+)/, "esc_CampaignStatus/Value eq $1");
                send("GET", root + entity + "Set?$select=" + select.join(",") + "&$filter=" + encodeURIComponent(filter),
                    null, function (result) {
                        var rows = [];
                        for (var r = 0; r < result.d.results.length; r += 1) {
                            var row = {};
                            for (var f = 0; f < fields.length; f += 1) {
                                row[fields[f]] = result.d.results[r][name(fields[f])];
                            }
                            rows.push(row);
                        }
                        done(rows);
                    }, failed);
            },
            create: function (entity, values, lookups, done, failed) {
                var body = {};
                for (var field in values) {
                    if (values.hasOwnProperty(field)) {
                        body[name(field)] = field === "esc_campaignstatus" ? { Value: values[field] } : values[field];
                    }
                }
                for (var key in lookups) {
                    if (lookups.hasOwnProperty(key)) {
                        body[lookup[key]] = { Id: lookups[key][1], LogicalName: lookups[key][0] };
                    }
                }
                send("POST", root + entity + "Set", body, function (result) {
                    done(result.d[name(entity + "id")]);
                }, failed);
            },
            associate: function (entity, id, relationship, other, otherId, done, failed) {
                send("POST", root + entity + "Set(guid'" + id + "')/$links/" + relationship,
                    { uri: root + name(other) + "Set(guid'" + otherId + "')" }, done, failed);
            }
        };
    }
};
