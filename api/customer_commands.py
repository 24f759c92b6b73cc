"""Customer write endpoints (API.md "Customers"), declared once each."""

from __future__ import annotations

from api.commanding import CommandEndpoint
from application import customer_commands as cc

CUSTOMER = "/v1/customers/{customer_no:str}"
TAG = "customers"

CUSTOMER_COMMANDS = (
    CommandEndpoint(
        "POST", "/v1/customers", cc.RegisterCustomer, "Register a customer",
        "Registers a customer under its own number (the ERP customer number). Roles: assistant, "
        "account_manager, cs_agent or integrator. 409 CUSTOMER_ALREADY_EXISTS if the number is taken.",
        TAG, creates="/v1/customers/{id}",
        example={
            "customer_no": "C100234", "name": "上海华东办公家具有限公司", "kind": "ENTERPRISE",
            "address": "上海市浦东新区张江路88号",
            "contacts": {"phone": "021-5080-1234", "preferred_channel": "PHONE"},
            "account_manager_id": "am-sh01",
        },
    ),
    CommandEndpoint(
        "PATCH", CUSTOMER, cc.UpdateCustomerProfile, "Update a customer's profile",
        "Changes the profile fields sent; fields left out or null stay as they are.",
        TAG, example={"address": "上海市浦东新区张江路99号", "contacts": {"mobile": "13800138000"}},
    ),
    CommandEndpoint(
        "POST", CUSTOMER + "/functional-locations", cc.CreateFunctionalLocation,
        "Create a functional location",
        "A functional location (功能位置) is a site of the customer where furniture is installed; its "
        "number is unique across all customers (409 FUNCTIONAL_LOCATION_EXISTS).",
        TAG, creates="/v1/customers/{customer_no}",
        example={"fl_no": "FL-SH-0088", "address": "上海市浦东新区张江路88号3楼"},
    ),
    CommandEndpoint(
        "POST", CUSTOMER + "/account-manager", cc.AssignAccountManager, "Assign the account manager",
        "Names the staff member who owns the relationship and the return-visit queue for this customer.",
        TAG, example={"employee_id": "am-sh01"},
    ),
    CommandEndpoint(
        "POST", CUSTOMER + "/contacts", cc.LogContact, "Log a contact",
        "Records one contact with the customer (call, visit, e-mail…); `effective` says whether the "
        "customer was actually reached.",
        TAG,
        example={"channel": "PHONE", "direction": "OUT", "effective": True, "purpose": "回访活动柜锁维修"},
    ),
    CommandEndpoint(
        "POST", CUSTOMER + "/return-visits", cc.RecordReturnVisit, "Record a return visit",
        "A return visit (回访) resets the customer's return-visit schedule in the contact queue.",
        TAG, example={"channel": "PHONE", "satisfied": True, "score": 5, "related_case_no": "1000001"},
    ),
    CommandEndpoint(
        "POST", CUSTOMER + "/monthly-sales", cc.RecordMonthlySales, "Record monthly sales",
        "The customer's sales for one month (money as a decimal string); drives the big-customer tier.",
        TAG, example={"month": "2026-10", "amount": "2350.00"},
    ),
    CommandEndpoint(
        "POST", CUSTOMER + "/asset-balances", cc.RecordAssetBalance, "Record an asset balance",
        "The customer's asset balance on a date; drives the asset-based tier.",
        TAG, example={"as_of": "2026-10-31", "amount": "500000.00"},
    ),
    CommandEndpoint(
        "POST", CUSTOMER + "/projects", cc.RecordProjectDelivered, "Record a delivered project",
        "A delivered project schedules its return visits (contact queue).",
        TAG, example={"project_id": "PJ-2026-017", "delivered_on": "2026-10-15"},
    ),
    CommandEndpoint(
        "POST", CUSTOMER + "/surveys", cc.RecordCustomerSurvey, "Record a customer survey",
        "A survey score (1-5) taken with the named instrument.",
        TAG, example={"score": 4, "instrument": "PHONE"},
    ),
)  # fmt: skip
