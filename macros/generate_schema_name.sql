{{#if custom_schema_name}}{{custom_schema_name}}{{else}}{{target.schema}}{{/if}}
