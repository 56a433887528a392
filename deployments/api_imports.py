"""Imports of venues, needs and assignments over REST (SPEC §10): `POST /api/v1/operations/{code}/imports/{kind}/`
and the template of each kind. The work is deployments.imports; here only parsing and answers."""

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.schema import ApiSchema
from core.roles import require_coordinator
from deployments import imports
from reinforcements.queries import visible_operations


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=f"CSV (UTF-8, or the Windows code pages of Europe) or XLSX; the first row names the columns "
        f"(see the template); at most {imports.MAX_ROWS} rows and {imports.MAX_BYTES // 1024 // 1024} MB."
    )


class ImportResultSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=imports.KINDS)
    rows = serializers.IntegerField(help_text="rows read, after the header")
    created = serializers.IntegerField(help_text="venues, needs (a pattern row makes one per day) or assignments")


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="the row number in the file, the header being row 1")
    column = serializers.CharField(help_text="the column at fault; empty when the row as a whole breaks a rule")
    message = serializers.CharField(help_text="in the user's language")


class ImportRefusedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(help_text="invalid_file, missing_columns, empty_file, invalid_rows, too_many")
    errors = RowErrorSerializer(many=True)


KIND = OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=list(imports.KINDS))
CODE = OpenApiParameter("code", str, OpenApiParameter.PATH, description="the operation's code")


def _operation(request, code):
    operation = visible_operations(request.user).filter(code=code).first()
    if operation is None:
        raise NotFound(_("No such operation."))
    return operation


class ImportView(APIView):
    parser_classes = [MultiPartParser]
    schema = ApiSchema()

    @extend_schema(
        operation_id="operations_imports_create",
        parameters=[CODE, KIND],
        request={"multipart/form-data": ImportUploadSerializer},
        responses={201: ImportResultSerializer, 400: ImportRefusedSerializer},
        examples=[
            OpenApiExample(
                "needs imported",
                value={"kind": "needs", "rows": 2, "created": 11},
                response_only=True,
                status_codes=["201"],
            )
        ],
        description="Import venues, needs or assignments from a CSV or XLSX file, coordinators only; all or nothing. "
        "A needs row with `from_date`…`to_date` (and optional `weekdays`, 1 = Monday … 7) is a daily pattern: one "
        "need per day. Each assignments row is placed through every placement rule (a refusal names its row); "
        "the countries' liaisons get one message each. Any problem: 400 with every row's `errors`, nothing written.",
    )
    def post(self, request, code, kind):
        operation = _operation(request, code)
        require_coordinator(request.user)
        upload = request.FILES.get("file")
        if upload is None:
            return Response(
                {"detail": _("Attach the file as “file”."), "code": "invalid_file", "errors": []},
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            result = imports.import_file(actor=request.user, operation=operation, kind=kind, upload=upload)
        except imports.ImportRefused as refused:
            data = {"detail": refused.detail, "code": refused.code, "errors": [e.as_dict() for e in refused.errors]}
            return Response(ImportRefusedSerializer(data).data, status=status.HTTP_400_BAD_REQUEST)
        return Response(ImportResultSerializer(result).data, status=status.HTTP_201_CREATED)


class ImportTemplateView(APIView):
    schema = ApiSchema()

    @extend_schema(
        operation_id="operations_imports_template",
        parameters=[CODE, KIND],
        responses={(200, "text/csv"): OpenApiTypes.STR},
        description="The CSV template of an import: its header row, every column the import reads.",
    )
    def get(self, request, code, kind):
        _operation(request, code)
        response = HttpResponse(imports.template_csv(kind), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{code}-{kind}-template.csv"'
        return response
